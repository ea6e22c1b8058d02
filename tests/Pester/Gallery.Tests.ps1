# The module as a gallery hands it over: published with Publish-PSResource into a folder repository, installed with
# Install-PSResource, then imported and auto-loaded from where it was installed. HOME points at a temporary directory,
# so the repository registration and the installed module never land in the profile of whoever runs the suite.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestPeers.psm1') -Force
    $script:ModuleBase = Split-Path -Parent (Get-TestModuleManifest)
    $script:Work = Join-Path $TestDrive 'gallery'
    $script:TempHome = Join-Path $Work 'home'
    # .NET names no config or data folder under a HOME that lacks them (NuGet then writes into the current directory).
    New-Item -ItemType Directory -Force (Join-Path $TempHome '.config'), (Join-Path $TempHome '.local/share') | Out-Null
    $port = Get-FreeTcpPort
    $script:Pki = New-TestPki -Directory (Join-Path $Work 'pki') -ResponderUrl "http://127.0.0.1:$port/"
    $script:Responder = Start-OpenSslResponder -Pki $Pki -Port $port
    $script:Isolated = @{ HOME = $TempHome; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; XDG_CACHE_HOME = $null }

    $repository = Join-Path $Work 'repository'
    New-Item -ItemType Directory -Force $repository | Out-Null
    $script:Installed = Invoke-ChildPwsh -Environment $Isolated @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name OcspStaplingTest -Uri '$repository' -Trusted
Publish-PSResource -Path '$ModuleBase' -Repository OcspStaplingTest
Install-PSResource -Name OcspStapling -Repository OcspStaplingTest -Scope CurrentUser
(Get-Module -ListAvailable OcspStapling).ModuleBase
"@ | Select-Object -Last 1
}

AfterAll {
    Stop-TestProcess $Responder
}

Describe 'Install-PSResource from a folder repository' {
    It 'installs under the temporary HOME, with the engine in Dependencies/ and the help' {
        $Installed | Should -BeLike "$TempHome*"
        Join-Path $Installed 'OcspStapling.psd1' | Should -Exist
        Join-Path $Installed 'OcspStapling.Types.dll' | Should -Exist
        Join-Path $Installed 'Dependencies/OcspStapling.Engine.dll' | Should -Exist
        Join-Path $Installed 'en-US/OcspStapling.dll-Help.xml' | Should -Exist
    }

    It 'imports by name from where it was installed, and works' {
        $output = Invoke-ChildPwsh -Environment $Isolated @"
Import-Module OcspStapling
'{0} {1}' -f (Get-Module OcspStapling).ModuleBase, (Get-OcspResponse -Path '$($Pki.Leaves.site.Path)').CertStatus
"@
        $output | Select-Object -Last 1 | Should -Be "$Installed Good"
    }

    It 'auto-loads from where it was installed' {
        $output = Invoke-ChildPwsh -Environment $Isolated @"
`$verdict = (Get-OcspResponse -Path '$($Pki.Leaves.site.Path)').CertStatus
'{0} {1}' -f (Get-Module OcspStapling).ModuleBase, `$verdict
"@
        $output | Select-Object -Last 1 | Should -Be "$Installed Good"
    }
}
