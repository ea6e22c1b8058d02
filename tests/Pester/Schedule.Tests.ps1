# The scheduled PowerShell lines of about_OcspStapling, run as written in a new pwsh: exit 1 when a site has no valid
# staple (a dead responder), exit 0 when all is well. Paths the lines name are replaced by the test's own:
#   /etc/ssl/sites, Cert:\LocalMachine\My  -> a directory of PEM full chains (the Cert: drive needs Windows; certificate
#                                            files are the equivalent input for Update-OcspStaple -Path)
#   /var/lib/ocspstaple, C:\ProgramData\OcspStapling\staples -> a store in TestDrive
#   /etc/nginx/ocsp, C:\nginx\ocsp         -> an export directory in TestDrive
# The module is found by auto-loading from PSModulePath, as on a host where it is installed.

BeforeDiscovery {
    $about = Get-Content -Raw (Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'en-US/about_OcspStapling.md')
    $script:Lines = @(
        @{ Name = 'cron'; Command = [regex]::Match($about, '\*/30 \* \* \* \* /usr/bin/pwsh -NoProfile -Command "([^"]+)"').Groups[1].Value }
        @{ Name = 'Task Scheduler'; Command = [regex]::Match($about, "-Execute pwsh -Argument '-NoProfile -Command `"([^`"]+)`"'").Groups[1].Value }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestPeers.psm1') -Force
    $script:Modules = Split-Path -Parent (Split-Path -Parent (Split-Path -Parent (Get-TestModuleManifest)))
    $script:Work = Join-Path $TestDrive 'schedule'
    $script:Port = Get-FreeTcpPort
    $script:Pki = New-TestPki -Directory (Join-Path $Work 'pki') -ResponderUrl "http://127.0.0.1:$Port/" -Good site, shop
    $script:Sites = Join-Path $Work 'sites'
    New-Item -ItemType Directory -Force $Sites | Out-Null
    Copy-Item $Pki.Leaves.site.Path, $Pki.Leaves.shop.Path $Sites

    function Invoke-ScheduledLine([string] $Command, [string] $Run) {
        $store = Join-Path $Work "$Run-store"
        $export = Join-Path $Work "$Run-export"
        New-Item -ItemType Directory -Force $export | Out-Null
        $line = $Command.Replace('/etc/ssl/sites', $Sites).Replace('Cert:\LocalMachine\My', $Sites).
            Replace('/var/lib/ocspstaple', $store).Replace('C:\ProgramData\OcspStapling\staples', $store).
            Replace('/etc/nginx/ocsp', $export).Replace('C:\nginx\ocsp', $export)
        # The options the documented lines give pwsh, and nothing more.
        $child = Invoke-FreshPwsh -Script $line -Options '-NoProfile' -Environment @{ PSModulePath = Get-PSModulePathWith $Modules }
        [pscustomobject]@{ ExitCode = $child.ExitCode; Output = $child.Lines; Exported = @(Get-ChildItem $export -File) }
    }
}

Describe 'The <Name> line of about_OcspStapling' -ForEach $Lines {
    It 'is in the help as the test expects' {
        $Command | Should -Match '^Update-OcspStaple '
    }

    It 'exits 1 and says which sites have no staple while the responder is down' {
        $run = Invoke-ScheduledLine $Command "$($Name -replace ' ', '-')-down"
        $run.ExitCode | Should -Be 1
        ($run.Output -join "`n") | Should -Match 'site\.pem: NoValidStaple'
        $run.Exported | Should -BeNullOrEmpty
    }

    It 'exits 0 and exports both staples while it answers' {
        $responder = Start-OpenSslResponder -Pki $Pki -Port $Port
        try {
            $run = Invoke-ScheduledLine $Command "$($Name -replace ' ', '-')-up"
        }
        finally {
            Stop-TestProcess $responder
        }
        $run.ExitCode | Should -Be 0
        $run.Exported.Name | Sort-Object | Should -Be 'shop.pem.ocsp', 'site.pem.ocsp'
    }
}
