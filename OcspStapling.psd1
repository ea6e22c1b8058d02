@{
    RootModule           = 'OcspStapling.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5b0f7a3e-9c1d-4e8a-b6f2-2d7c4a1e9f30'
    Author               = 'OcspStapling contributors'
    CompanyName          = 'OcspStapling'
    Copyright            = '(c) OcspStapling contributors. MIT License.'
    Description          = 'OCSP stapling done properly: fetch and strictly verify OCSP responses, export staple files for nginx and HAProxy, and check what servers staple.'
    CompatiblePSEditions = @('Core')
    PowerShellVersion    = '7.4'
    # No HelpInfoURI, on purpose: the help ships in en-US/ with every release, built from the same markdown as the
    # code it describes, so there is nothing newer for Update-Help to fetch and no server to fetch it from.
    FormatsToProcess     = @('OcspStapling.Format.ps1xml')
    TypesToProcess       = @('OcspStapling.Types.ps1xml')
    CmdletsToExport      = @(
        'Get-OcspResponse'
        'Test-OcspStaple'
        'Export-OcspStapleFile'
        'Start-StaplingListener'
        'Get-StaplingListener'
        'Stop-StaplingListener'
        'Update-OcspStaple'
        'Get-OcspStaple'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('OCSP', 'Stapling', 'TLS', 'PKI', 'nginx', 'HAProxy', 'Certificates', 'Linux', 'Windows')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'First release: Get-OcspResponse, Test-OcspStaple, Export-OcspStapleFile and the ocspstaple command line.'
        }
    }
}
