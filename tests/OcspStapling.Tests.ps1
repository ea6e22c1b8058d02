#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5 suite for the built module. Runs where pwsh exists: ./build.ps1 -Task Build, Test (CI runs it when pwsh is present).
# It drives the module against the in-process lab responder that `ocspstaple demo` uses, so it needs no network.

BeforeDiscovery {
    $script:Exported = 'Get-OcspResponse', 'Test-OcspStaple', 'Export-OcspStapleFile', 'Update-OcspStaple', 'Get-OcspStaple',
        'Start-StaplingListener', 'Get-StaplingListener', 'Stop-StaplingListener'
}

BeforeAll {
    $root = Split-Path -Parent $PSScriptRoot
    $version = ([xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))).Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1
    $moduleDir = Join-Path $root "out/OcspStapling/$version"
    Import-Module (Join-Path $moduleDir 'OcspStapling.psd1') -Force

    # A throwaway PKI and responder from the engine's Lab (loaded with the module, in the module's own context).
    $script:Pki = [OcspStapling.Engine.Lab.LabPki]::Create($null)
    $script:Responder = [OcspStapling.Engine.Lab.LabResponder]::new($script:Pki, 0)
    $script:Work = Join-Path ([System.IO.Path]::GetTempPath()) ("ocspstaple-pester-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory $script:Work | Out-Null
    $leaf = $script:Pki.IssueLeaf('pester.example.test', [string[]]@($script:Responder.Url.ToString()), $false, $null)
    $script:Responder.Add($leaf)
    $script:Cert = Join-Path $script:Work 'site.pem'
    Set-Content -Path $script:Cert -Value ($leaf.ExportCertificatePem() + "`n" + $script:Pki.Issuer.ExportCertificatePem())
    $script:Key = Join-Path $script:Work 'site.key'
    Set-Content -Path $script:Key -Value $script:Pki.LeafKeyPem()
}

AfterAll {
    Get-StaplingListener | Stop-StaplingListener
    $script:Responder.DisposeAsync().AsTask().Wait()
    Remove-Item -Recurse -Force $script:Work -ErrorAction SilentlyContinue
}

Describe 'The module' {
    It 'exports <_>' -ForEach $Exported {
        Get-Command -Module OcspStapling -Name $_ | Should -Not -BeNullOrEmpty
    }

    It 'exports nothing else' {
        (Get-Command -Module OcspStapling).Name | Sort-Object | Should -Be ($Exported | Sort-Object)
    }

    It 'has written help for <_>, not the auto-generated kind' -ForEach $Exported {
        $help = Get-Help $_ -Full
        $help.Synopsis | Should -Not -Match '^\s*\w+-\w+ \['
        $help.description | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterOrEqual 2
    }
}

Describe 'get, test, export' {
    It 'fetches a good, verified response' {
        $r = Get-OcspResponse -Path $Cert
        $r.CertStatus | Should -Be 'Good'
        $r.Verified | Should -BeTrue
        $r.NextUpdate | Should -BeGreaterThan ([DateTimeOffset]::UtcNow)
    }

    It 'passes it through Test-OcspStaple and writes a staple that tests good' {
        $staple = Join-Path $Work 'site.der'
        Get-Item $Cert | Get-OcspResponse | Test-OcspStaple -PassThru | Export-OcspStapleFile -Path $staple
        Test-OcspStaple -Path $staple -CertificatePath $Cert -Quiet | Should -BeTrue
    }

    It 'writes nothing with -WhatIf' {
        $target = Join-Path $Work 'whatif.der'
        Get-OcspResponse -Path $Cert | Export-OcspStapleFile -Path $target -WhatIf
        Test-Path $target | Should -BeFalse
    }

    It 'names a missing certificate with GetOcspResponseCertificateUnreadable and goes on' {
        { Get-OcspResponse -Path (Join-Path $Work 'missing.pem') -ErrorAction Stop } |
            Should -Throw -ErrorId 'GetOcspResponseCertificateUnreadable,OcspStapling.Commands.GetOcspResponseCommand'
        $results = Get-OcspResponse -Path (Join-Path $Work 'missing.pem'), $Cert -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 1
    }

    It 'refuses to export a revoked response with ExportOcspStapleFileNotFitToStaple' {
        $revoked = $Pki.IssueLeaf('revoked.example.test', [string[]]@($Responder.Url.ToString()), $false, $null)
        $Responder.SetStatus($revoked, 'Revoked', $null)
        $path = Join-Path $Work 'revoked.pem'
        Set-Content -Path $path -Value ($revoked.ExportCertificatePem() + "`n" + $Pki.Issuer.ExportCertificatePem())
        { Get-OcspResponse -Path $path | Export-OcspStapleFile -Path (Join-Path $Work 'revoked.der') -ErrorAction Stop } |
            Should -Throw -ErrorId 'ExportOcspStapleFileNotFitToStaple,OcspStapling.Commands.ExportOcspStapleFileCommand'
    }
}

Describe 'listener and probe' {
    It 'staples from the first connection, and the probe reads it' {
        $listener = Start-StaplingListener -Port 0 -CertificatePath $Cert -KeyPath $Key
        try {
            $listener.StapleStatus | Should -Be 'Good'
            $probe = Test-OcspStaple -ComputerName 127.0.0.1 -Port $listener.Endpoint.Port -ServerName pester.example.test
            $probe.Stapled | Should -BeTrue
            $probe.Passed | Should -BeTrue
            (Get-StaplingListener -Port $listener.Endpoint.Port) | Should -Not -BeNullOrEmpty
        }
        finally {
            $listener | Stop-StaplingListener
        }
        Get-StaplingListener -Port $listener.Endpoint.Port | Should -BeNullOrEmpty
    }

    It 'staples with either TLS implementation (-Tls), inside the module''s own load context' -ForEach @(
        @{ Tls = 'OpenSsl'; Says = 'OpenSSL 3*' }, @{ Tls = 'SslStream'; Says = 'SslStream' }
    ) {
        $listener = Start-StaplingListener -Port 0 -CertificatePath $Cert -KeyPath $Key -Tls $Tls
        try {
            $listener.TlsImplementation | Should -BeLike $Says
            (Test-OcspStaple -ComputerName 127.0.0.1 -Port $listener.Endpoint.Port -ServerName pester.example.test).Passed | Should -BeTrue
        }
        finally {
            $listener | Stop-StaplingListener
        }
    }
}

Describe 'update' {
    It 'refreshes into a store and reports still fresh the second time' {
        $store = Join-Path $Work 'store'
        (Update-OcspStaple -Path $Cert -StorePath $store).Outcome | Should -Be 'Refreshed'
        (Update-OcspStaple -Path $Cert -StorePath $store).Outcome | Should -Be 'StillFresh'
    }

    It 'reports a damaged certificate file with UpdateOcspStapleCertificateUnreadable and refreshes the others' {
        $dir = Join-Path $Work 'damaged'
        New-Item -ItemType Directory $dir | Out-Null
        Copy-Item $Cert (Join-Path $dir 'site.pem')
        Set-Content -Path (Join-Path $dir 'empty.pem') -Value $null
        $summaries = Update-OcspStaple -Path $dir -StorePath (Join-Path $Work 'damaged-store') -ErrorVariable failures -ErrorAction SilentlyContinue
        @($summaries).Outcome | Should -Be 'Refreshed'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'UpdateOcspStapleCertificateUnreadable,*'
    }

    It 'marks only the sites an unusable export directory concerns, and keeps every summary' {
        $blocker = Join-Path $Work 'not-a-directory'
        Set-Content -Path $blocker -Value 'a file'
        $summary = Update-OcspStaple -Path $Cert -StorePath (Join-Path $Work 'export-store') -ExportDirectory (Join-Path $blocker 'ocsp') -Force
        $summary.Outcome | Should -Be 'Failed'
        $summary.HasValidStaple | Should -BeTrue
        $summary.DeliveryProblem | Should -BeLike '*Cannot write staple file*'
    }
}

Describe 'status and the options update shares with the CLI' {
    It 'shows the state Update-OcspStaple left without asking the responder' {
        $store = Join-Path $Work 'status-store'
        Update-OcspStaple -Path $Cert -StorePath $store | Out-Null
        $before = $Responder.RequestCount
        $site = Get-OcspStaple -Path $Cert -StorePath $store
        $site.State | Should -Be 'Stapled'
        $site.Outcome | Should -Be 'NotFetched'
        $Responder.RequestCount | Should -Be $before
        (Get-OcspStaple -StorePath $store).Thumbprint | Should -Be $site.Thumbprint
    }

    It 'writes the metrics file and takes the interval, hash and method' {
        $prom = Join-Path $Work 'ocspstaple.prom'
        $summary = Update-OcspStaple -Path $Cert -StorePath (Join-Path $Work 'metrics-store') -MetricsFile $prom -Interval (New-TimeSpan -Minutes 30) -HashAlgorithm Sha256 -Method Post
        $summary.State | Should -Be 'Stapled'
        Get-Content -Raw $prom | Should -Match ('ocspstaple_staple_valid\{site="[^"]*",thumbprint="' + $summary.Thumbprint + '"\} 1')
    }

    It 'warns about a certificate without OCSP only with -RequireOcsp' {
        $plain = Join-Path $Work 'no-ocsp.pem'
        $leaf = $Pki.IssueLeaf('no-ocsp.example.test', [string[]]@(), $false, $null)
        Set-Content -Path $plain -Value ($leaf.ExportCertificatePem() + "`n" + $Pki.Issuer.ExportCertificatePem())
        $store = Join-Path $Work 'no-ocsp-store'
        (Update-OcspStaple -Path $plain -StorePath $store -WarningVariable calm -WarningAction SilentlyContinue).State | Should -Be 'NoOcsp'
        $calm | Should -BeNullOrEmpty
        (Update-OcspStaple -Path $plain -StorePath $store -RequireOcsp -WarningVariable loud -WarningAction SilentlyContinue).Severity | Should -Be 'Problem'
        $loud | Should -Not -BeNullOrEmpty
    }
}

Describe 'test' {
    It 'calls a certificate given as the staple a certificate' {
        { Test-OcspStaple -Path $Cert -CertificatePath $Cert -ErrorAction Stop } |
            Should -Throw -ErrorId 'TestOcspStapleStapleFileUnreadable,OcspStapling.Commands.TestOcspStapleCommand'
    }
}
