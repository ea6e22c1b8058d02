# The parameter sets no other test file calls (ParameterSets.Tests.ps1 finds them): certificate objects, as from the
# Cert: drive, given to Get-OcspStaple and Start-StaplingListener. Objects come from PEM files here; the issuer, which
# Windows' chain engine would find in the machine's store, is named with -TrustedCertificate where the cmdlet fetches.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestPeers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Work = Join-Path $TestDrive 'parameter-sets'
    $port = Get-FreeTcpPort
    $script:Pki = New-TestPki -Directory (Join-Path $Work 'pki') -ResponderUrl "http://127.0.0.1:$port/" -Good site, shop
    $script:Responder = Start-OpenSslResponder -Pki $Pki -Port $port
    $X509 = [System.Security.Cryptography.X509Certificates.X509Certificate2]
    $script:Shop = $X509::CreateFromPemFile($Pki.Leaves.shop.Path, $Pki.Leaves.shop.Key)
    $script:SiteCert = $X509::CreateFromPemFile($Pki.Leaves.site.Path, $Pki.Leaves.site.Key)
}

AfterAll {
    Get-StaplingListener | Stop-StaplingListener
    Stop-TestProcess $Responder
}

Describe 'Get-OcspStaple -Certificate' {
    It 'shows each certificate''s site by subject, with the state Update-OcspStaple left, and fetches nothing' {
        $store = Join-Path $Work 'store'
        Update-OcspStaple -Certificate $Shop, $SiteCert -StorePath $store -TrustedCertificate $Pki.CA | Out-Null
        Stop-TestProcess $Responder
        try {
            $sites = Get-OcspStaple -Certificate $Shop, $SiteCert -StorePath $store
            $sites | ForEach-Object { $_ | Should -BeOfType OcspStapling.SiteStatus }
            $sites.Site | Should -Be 'CN=shop.pester.test', 'CN=site.pester.test'
            $sites.State | Should -Be 'Stapled', 'Stapled'
            $sites.Outcome | Should -Be 'NotFetched', 'NotFetched'
            $sites[0].Thumbprint | Should -Be $Shop.GetCertHashString('SHA256').ToLowerInvariant()
        }
        finally {
            $script:Responder = Start-OpenSslResponder -Pki $Pki -Port $port
        }
    }

    It 'says a certificate never refreshed has no valid staple, as an error a scheduled run sees' {
        $site = Get-OcspStaple -Certificate $Shop -StorePath (Join-Path $Work 'empty-store') -ErrorVariable problems -ErrorAction SilentlyContinue
        $site.State | Should -Be 'NoValidStaple'
        $problems[0].FullyQualifiedErrorId | Should -Be 'GetOcspStapleNoValidStaple,OcspStapling.Commands.GetOcspStapleCommand'
    }
}

Describe 'Start-StaplingListener -Certificate' {
    It 'serves certificate objects with their keys, each by SNI with its own staple' {
        $listener = Start-StaplingListener -Port 0 -Certificate $Shop, $SiteCert -TrustedCertificate $Pki.CA -NoStore
        try {
            $listener | Should -BeOfType OcspStapling.StaplingListenerInfo
            $listener.Subject | Should -Be 'CN=shop.pester.test'
            $listener.StapleStatus | Should -Be 'Good'
            foreach ($name in 'shop', 'site') {
                $probe = Test-OcspStaple -ComputerName 127.0.0.1 -Port $listener.Port -ServerName "$name.pester.test" -TrustedCertificate $Pki.CA
                $probe.Subject | Should -Be "CN=$name.pester.test"
                $probe.Stapled | Should -BeTrue
                $probe.Passed | Should -BeTrue
            }
        }
        finally {
            $listener | Stop-StaplingListener
        }
    }
}
