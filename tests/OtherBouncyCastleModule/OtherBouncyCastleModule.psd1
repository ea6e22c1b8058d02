@{
    RootModule        = 'OtherBouncyCastleModule.dll'
    ModuleVersion     = '1.0.0'
    GUID              = 'c1f0e8d2-6a4b-4f3e-9d1c-7b2a5e8f4c10'
    Description       = 'A made-up module with its own BouncyCastle, for OcspStapling''s isolation tests.'
    PowerShellVersion = '7.4'
    CmdletsToExport   = @('Get-OtherBouncyCastle')
}
