# Every cmdlet of the module as built, through the README's pipelines, against OpenSSL's own OCSP responder (a process
# on loopback) and OpenSSL's own verifier; nothing here names a type of the engine.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestPeers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Work = Join-Path $TestDrive 'cmdlets'
    $script:Port = Get-FreeTcpPort
    $script:Pki = New-TestPki -Directory (Join-Path $Work 'pki') -ResponderUrl "http://127.0.0.1:$Port/" `
        -Good site, shop -Revoked revoked -WithoutOcsp plain
    $script:Responder = Start-OpenSslResponder -Pki $Pki -Port $Port
    $script:Site = $Pki.Leaves.site
    # A run that forgot -StorePath must not write into the real default store of whoever runs the suite.
    $script:SavedStore = $env:OCSPSTAPLE_STORE
    $env:OCSPSTAPLE_STORE = Join-Path $Work 'default-store'

    function Test-WithOpenSsl([string] $Staple, $Leaf) {
        # OpenSSL's own verdict on a staple file: the signature chain to our CA and the certificate's status.
        $leafOnly = Join-Path $Work "$($Leaf.Name)-leaf.pem"
        (Get-Content -Raw $Leaf.Path) -match '(?s)-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----' | Out-Null
        Set-Content -Path $leafOnly -Value $Matches[0]
        & openssl ocsp -respin $Staple -issuer $Pki.CA -cert $leafOnly -CAfile $Pki.Root 2>&1 | ForEach-Object { "$_" }
    }
}

AfterAll {
    Get-StaplingListener | Stop-StaplingListener
    Stop-TestProcess $Responder
    $env:OCSPSTAPLE_STORE = $SavedStore
}

Describe 'Get-OcspResponse' {
    It 'fetches a good response and verifies it' {
        $r = Get-OcspResponse -Path $Site.Path
        $r.CertStatus | Should -Be 'Good'
        $r.Verified | Should -BeTrue
        $r.Source | Should -Be "http://127.0.0.1:$Port/"
        $r.NextUpdate | Should -BeGreaterThan ([DateTime]::UtcNow)
    }

    It 'takes files from Get-Item and Get-ChildItem down the pipeline' {
        $results = Get-ChildItem (Join-Path $Pki.Directory 's*.pem') -Exclude '*.cert.pem' | Get-OcspResponse
        @($results).Count | Should -Be 2
        $results.CertStatus | Should -Be 'Good', 'Good'
        (Get-Item $Site.Path | Get-OcspResponse).CertificatePath | Should -Be $Site.Path
    }

    It 'takes certificate objects with -Issuer, as from the Cert: drive' {
        $issuer = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($Pki.CA)
        $certs = $Pki.Leaves.Values | Where-Object Name -in 'site', 'shop' |
            ForEach-Object { [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($_.Path) }
        $results = $certs | Where-Object Subject -like '*shop*' | Get-OcspResponse -Issuer $issuer
        @($results).Subject | Should -Be 'CN=shop.pester.test'
        $results.CertStatus | Should -Be 'Good'
    }

    It 'says revoked, verified, for a revoked certificate' {
        $r = Get-OcspResponse -Path $Pki.Leaves.revoked.Path
        $r.CertStatus | Should -Be 'Revoked'
        $r.Verified | Should -BeTrue
        $r.IsFitToStaple | Should -BeFalse
    }

    It 'names a missing file with GetOcspResponseCertificateUnreadable, and the pipeline goes on' {
        $missing = Join-Path $Work 'missing.pem'
        $results = Get-OcspResponse -Path $missing, $Site.Path -ErrorVariable failures -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'GetOcspResponseCertificateUnreadable,OcspStapling.Commands.GetOcspResponseCommand'
        $failures[0].CategoryInfo.Category | Should -Be 'ReadError'
        "$($failures[0])" | Should -BeLike "*$missing*"
    }

    It 'says a certificate without an OCSP URL names no responder' {
        { Get-OcspResponse -Path $Pki.Leaves.plain.Path -ErrorAction Stop } |
            Should -Throw -ErrorId 'GetOcspResponseNoResponderUrl,OcspStapling.Commands.GetOcspResponseCommand'
    }

    It 'reports a responder that is down as a connection error naming it' {
        $dead = "http://127.0.0.1:$(Get-FreeTcpPort)/"
        Get-OcspResponse -Path $Site.Path -Responder $dead -TimeoutSec 5 -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GetOcspResponseResponderUnreachable,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        "$($failures[0])" | Should -BeLike "*$dead*"
    }

    It 'takes the hash and method as enum names, and as the enum types users name' {
        (Get-OcspResponse -Path $Site.Path -HashAlgorithm Sha256 -Method Post).CertStatus | Should -Be 'Good'
        (Get-OcspResponse -Path $Site.Path -HashAlgorithm ([OcspStapling.CertIdHash]::Sha1) -Method ([OcspStapling.RequestMethod]::Get)).Method |
            Should -Be 'Get'
    }
}

Describe 'Export-OcspStapleFile' {
    It 'writes the DER staple nginx loads, which OpenSSL verifies as good' {
        $staple = Join-Path $Work 'nginx/site.der'
        New-Item -ItemType Directory -Force (Split-Path $staple) | Out-Null
        Get-Item $Site.Path | Get-OcspResponse | Export-OcspStapleFile -Path $staple
        $verdict = Test-WithOpenSsl $staple $Site
        $verdict | Should -Contain 'Response verify OK'
        ($verdict -join "`n") | Should -Match ': good'
    }

    It 'writes the .ocsp file HAProxy loads beside each certificate with -Directory' {
        $certs = Join-Path $Work 'haproxy'
        New-Item -ItemType Directory -Force $certs | Out-Null
        Copy-Item $Site.Path, $Pki.Leaves.shop.Path $certs
        Get-ChildItem (Join-Path $certs '*.pem') | Get-OcspResponse | Export-OcspStapleFile -Directory $certs
        (Get-ChildItem $certs -Filter '*.ocsp').Name | Sort-Object | Should -Be 'shop.pem.ocsp', 'site.pem.ocsp'
        Test-WithOpenSsl (Join-Path $certs 'site.pem.ocsp') $Site | Should -Contain 'Response verify OK'
    }

    It 'writes one line of base64 for HAProxy''s runtime API' {
        $b64 = Join-Path $Work 'site.ocsp.b64'
        Get-OcspResponse -Path $Site.Path | Export-OcspStapleFile -Path $b64 -Format Base64
        $der = Join-Path $Work 'from-b64.der'
        [System.IO.File]::WriteAllBytes($der, [Convert]::FromBase64String((Get-Content -Raw $b64).Trim()))
        Test-WithOpenSsl $der $Site | Should -Contain 'Response verify OK'
    }

    It 'passes through what it wrote with -PassThru' {
        $staple = Join-Path $Work 'passthru.der'
        $written = Get-OcspResponse -Path $Site.Path | Export-OcspStapleFile -Path $staple -PassThru
        $written.FullName | Should -Be $staple
        $written.Length | Should -BeGreaterThan 0
    }

    It 'writes nothing with -WhatIf' {
        $target = Join-Path $Work 'whatif.der'
        Get-OcspResponse -Path $Site.Path | Export-OcspStapleFile -Path $target -WhatIf
        Test-Path $target | Should -BeFalse
    }

    It 'refuses a revoked response with ExportOcspStapleFileNotFitToStaple and leaves the good staple as it was' {
        $staple = Join-Path $Work 'kept.der'
        Get-OcspResponse -Path $Site.Path | Export-OcspStapleFile -Path $staple
        $before = [System.IO.File]::ReadAllBytes($staple)
        { Get-OcspResponse -Path $Pki.Leaves.revoked.Path | Export-OcspStapleFile -Path $staple -ErrorAction Stop } |
            Should -Throw -ErrorId 'ExportOcspStapleFileNotFitToStaple,OcspStapling.Commands.ExportOcspStapleFileCommand'
        [System.IO.File]::ReadAllBytes($staple) | Should -Be $before
    }
}

Describe 'Test-OcspStaple' {
    BeforeAll {
        $script:Staple = Join-Path $Work 'test/site.der'
        New-Item -ItemType Directory -Force (Split-Path $Staple) | Out-Null
        Get-OcspResponse -Path $Site.Path | Export-OcspStapleFile -Path $Staple
    }

    It 'checks the staple nginx serves from against its certificate' {
        $check = Test-OcspStaple -Path $Staple -CertificatePath $Site.Path
        $check.Passed | Should -BeTrue
        Test-OcspStaple -Path $Staple -CertificatePath $Site.Path -Quiet | Should -BeTrue
    }

    It 'fails a staple given for another certificate' {
        Test-OcspStaple -Path $Staple -CertificatePath $Pki.Leaves.shop.Path -Quiet | Should -BeFalse
    }

    It 'passes good responses down the pipeline with -PassThru and holds back the rest' {
        $passed = $Site.Path, $Pki.Leaves.revoked.Path | Get-OcspResponse | Test-OcspStaple -PassThru
        @($passed).Subject | Should -Be 'CN=site.pester.test'
    }

    It 'calls a certificate given as the staple a certificate' {
        { Test-OcspStaple -Path $Site.Path -CertificatePath $Site.Path -ErrorAction Stop } |
            Should -Throw -ErrorId 'TestOcspStapleStapleFileUnreadable,OcspStapling.Commands.TestOcspStapleCommand'
    }
}

Describe 'Start-, Get- and Stop-StaplingListener, and the probe' {
    It 'staples from the first connection with <Tls>, and Test-OcspStaple -ComputerName reads it' -ForEach @(
        @{ Tls = 'OpenSsl'; Says = 'OpenSSL 3*' }, @{ Tls = 'SslStream'; Says = 'SslStream' }
    ) {
        $listener = Start-StaplingListener -Port 0 -CertificatePath $Site.Path -KeyPath $Site.Key -Tls $Tls
        try {
            $listener.TlsImplementation | Should -BeLike $Says
            $probe = Test-OcspStaple -ComputerName 127.0.0.1 -Port $listener.Port -ServerName $Site.ServerName
            $probe.Stapled | Should -BeTrue
            $probe.Passed | Should -BeTrue
        }
        finally {
            $listener | Stop-StaplingListener
        }
    }

    It 'staples what OpenSSL''s s_client asks for on the first connection' {
        $listener = Start-StaplingListener -Port 0 -CertificatePath $Site.Path -KeyPath $Site.Key
        try {
            $out = 'Q' | & openssl s_client -connect "127.0.0.1:$($listener.Port)" -servername $Site.ServerName -status -CAfile $Pki.Root 2>&1 |
                ForEach-Object { "$_" }
            ($out -join "`n") | Should -Match 'OCSP Response Status: successful'
            ($out -join "`n") | Should -Match 'Cert Status: good'
        }
        finally {
            $listener | Stop-StaplingListener
        }
    }

    It 'passes a server whose certificate names no responder: nothing to staple, as the CLI says' {
        $plain = $Pki.Leaves.plain
        $listener = Start-StaplingListener -Port 0 -CertificatePath $plain.Path -KeyPath $plain.Key -NoStore
        try {
            $probe = Test-OcspStaple -ComputerName 127.0.0.1 -Port $listener.Port -ServerName $plain.ServerName
            $probe.Stapled, $probe.Verdict, $probe.Passed | Should -Be $false, 'NoOcsp', $true
        }
        finally {
            $listener | Stop-StaplingListener
        }
    }

    It 'lists a running listener by port and stops it by port' {
        $listener = Start-StaplingListener -Port 0 -CertificatePath $Site.Path -KeyPath $Site.Key
        $port = $listener.Port
        (Get-StaplingListener -Port $port).Port | Should -Be $port
        Stop-StaplingListener -Port $port
        Get-StaplingListener -Port $port | Should -BeNullOrEmpty
        { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $port) } | Should -Throw
    }

    It 'names a port with no listener with StopStaplingListenerNotFound' {
        { Stop-StaplingListener -Port (Get-FreeTcpPort) -ErrorAction Stop } |
            Should -Throw -ErrorId 'StopStaplingListenerNotFound,OcspStapling.Commands.StopStaplingListenerCommand'
    }

    It 'serves several certificates, each chosen by SNI with its own staple' {
        $shop = $Pki.Leaves.shop
        $listener = Start-StaplingListener -Port 0 -CertificatePath $Site.Path, $shop.Path -KeyPath $Site.Key, $shop.Key
        try {
            foreach ($leaf in $Site, $shop) {
                $probe = Test-OcspStaple -ComputerName 127.0.0.1 -Port $listener.Port -ServerName $leaf.ServerName
                $probe.Passed | Should -BeTrue
                $probe.Subject | Should -Be "CN=$($leaf.ServerName)"
            }
        }
        finally {
            $listener | Stop-StaplingListener
        }
    }
}

Describe 'Update-OcspStaple and Get-OcspStaple' {
    It 'refreshes into a store, and finds it still fresh the second time' {
        $store = Join-Path $Work 'store'
        (Update-OcspStaple -Path $Site.Path -StorePath $store).Outcome | Should -Be 'Refreshed'
        (Update-OcspStaple -Path $Site.Path -StorePath $store).Outcome | Should -Be 'StillFresh'
    }

    It 'takes certificate objects from the pipeline as themselves, and paths as files with their chain' {
        $store = Join-Path $Work 'piped-store'
        $issuer = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($Pki.CA)
        $certificate = [System.Security.Cryptography.X509Certificates.X509Certificate2]::new($Site.Path)
        ($certificate | Update-OcspStaple -StorePath $store -Issuer $issuer).State | Should -Be 'Stapled'
        ($Site.Path | Update-OcspStaple -StorePath $store).Site | Should -Be $Site.Path
    }

    It 'exports every site of a directory for nginx, and OpenSSL verifies what it wrote' {
        $sites = Join-Path $Work 'sites'
        $exports = Join-Path $Work 'exports'
        New-Item -ItemType Directory -Force $sites, $exports | Out-Null
        Copy-Item $Site.Path, $Pki.Leaves.shop.Path $sites
        $summaries = Update-OcspStaple -Path $sites -StorePath (Join-Path $Work 'export-store') -ExportDirectory $exports
        @($summaries).State | Should -Be 'Stapled', 'Stapled'
        (Get-ChildItem $exports -File).Name | Sort-Object | Should -Be 'shop.pem.ocsp', 'site.pem.ocsp'
        Test-WithOpenSsl (Join-Path $exports 'site.pem.ocsp') $Site | Should -Contain 'Response verify OK'
    }

    It 'reports a damaged certificate file with UpdateOcspStapleCertificateUnreadable and refreshes the others' {
        $dir = Join-Path $Work 'damaged'
        New-Item -ItemType Directory $dir | Out-Null
        Copy-Item $Site.Path (Join-Path $dir 'site.pem')
        Set-Content -Path (Join-Path $dir 'empty.pem') -Value $null
        $summaries = Update-OcspStaple -Path $dir -StorePath (Join-Path $Work 'damaged-store') -ErrorVariable failures -ErrorAction SilentlyContinue
        @($summaries).Outcome | Should -Be 'Refreshed'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'UpdateOcspStapleCertificateUnreadable,*'
    }

    It 'shows the state Update-OcspStaple left, without asking the responder' {
        $store = Join-Path $Work 'status-store'
        Update-OcspStaple -Path $Site.Path -StorePath $store | Out-Null
        Stop-TestProcess $Responder
        try {
            $site = Get-OcspStaple -Path $Site.Path -StorePath $store
            $site.State | Should -Be 'Stapled'
            $site.Outcome | Should -Be 'NotFetched'
            (Get-OcspStaple -StorePath $store).Thumbprint | Should -Be $site.Thumbprint
        }
        finally {
            $script:Responder = Start-OpenSslResponder -Pki $Pki -Port $Port
        }
    }

    It 'writes the metrics file and takes the interval, hash and method' {
        $prom = Join-Path $Work 'ocspstaple.prom'
        $summary = Update-OcspStaple -Path $Site.Path -StorePath (Join-Path $Work 'metrics-store') -MetricsFile $prom `
            -Interval (New-TimeSpan -Minutes 30) -HashAlgorithm Sha256 -Method Post
        $summary.State | Should -Be 'Stapled'
        Get-Content -Raw $prom | Should -Match ('ocspstaple_staple_valid\{site="[^"]*",thumbprint="' + $summary.Thumbprint + '"\} 1')
    }

    It 'treats a certificate without OCSP as normal, and as a problem only with -RequireOcsp' {
        $store = Join-Path $Work 'no-ocsp-store'
        $plain = $Pki.Leaves.plain.Path
        $calm = Update-OcspStaple -Path $plain -StorePath $store -ErrorVariable calmErrors -WarningVariable calmWarnings
        $calm.State | Should -Be 'NoOcsp'
        $calmErrors + $calmWarnings | Should -BeNullOrEmpty
        $loud = Update-OcspStaple -Path $plain -StorePath $store -RequireOcsp -ErrorVariable loudErrors -ErrorAction SilentlyContinue
        $loud.Severity | Should -Be 'Problem'
        $loudErrors[0].FullyQualifiedErrorId | Should -Be 'UpdateOcspStapleNoOcsp,OcspStapling.Commands.UpdateOcspStapleCommand'
    }

    It 'writes the site, then an error a scheduled run sees, for each site without a valid staple' {
        $store = Join-Path $Work 'outage-store'
        $dead = "http://127.0.0.1:$(Get-FreeTcpPort)/"
        $summary = Update-OcspStaple -Path $Site.Path -StorePath $store -Responder $dead -TimeoutSec 5 -ErrorVariable problems -ErrorAction SilentlyContinue
        $? | Should -BeFalse
        $summary.State | Should -Be 'NoValidStaple'
        @($problems).Count | Should -Be 1
        $problems[0].FullyQualifiedErrorId | Should -Be 'UpdateOcspStapleNoValidStaple,OcspStapling.Commands.UpdateOcspStapleCommand'
        $problems[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $problems[0].TargetObject | Should -Be $Site.Path
        { Get-OcspStaple -Path $Site.Path -StorePath $store -ErrorAction Stop } |
            Should -Throw -ErrorId 'GetOcspStapleNoValidStaple,OcspStapling.Commands.GetOcspStapleCommand'
    }
}

Describe 'Pipelines with several requests in flight' {
    BeforeAll {
        $script:Many = 1..12 | ForEach-Object { if ($_ % 2) { $Site.Path } else { $Pki.Leaves.shop.Path } }
        # A server that accepts connections and never answers: what a hung responder looks like.
        $script:Silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $Silent.Start()
        $script:Held = [System.Collections.Generic.List[object]]::new()
        $script:SilentUrl = "http://127.0.0.1:$($Silent.LocalEndpoint.Port)/"
    }

    AfterAll {
        $Silent.Stop()
    }

    It 'writes results in input order, a failing record in its place' {
        $missing = Join-Path $Work 'missing-in-the-middle.pem'
        $inputs = @($Site.Path, $Pki.Leaves.shop.Path, $missing, $Pki.Leaves.revoked.Path, $Site.Path)
        $results = $inputs | Get-OcspResponse -Concurrency 4 -ErrorVariable failures -ErrorAction SilentlyContinue
        $results.Subject | Should -Be 'CN=site.pester.test', 'CN=shop.pester.test', 'CN=revoked.pester.test', 'CN=site.pester.test'
        $failures.TargetObject | Should -Be $missing
    }

    It 'writes the first result before the last certificate is taken from the pipeline' {
        $events = [System.Collections.Generic.List[string]]::new()
        $Many | ForEach-Object { $events.Add('in'); $_ } | Get-OcspResponse -Concurrency 3 | ForEach-Object { $events.Add('out') }
        $events.IndexOf('out') | Should -BeLessThan $events.LastIndexOf('in')
        @($events | Where-Object { $_ -eq 'out' }).Count | Should -Be $Many.Count
    }

    It 'stops at once on Ctrl+C while requests hang' {
        $shell = [powershell]::Create()
        $null = $shell.AddScript("Import-Module '$(Get-TestModuleManifest)'; '$($Site.Path)', '$($Site.Path)', '$($Site.Path)' | Get-OcspResponse -Responder '$SilentUrl' -TimeoutSec 120")
        $async = $shell.BeginInvoke()
        Start-Sleep -Seconds 2
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $shell.Stop()
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 3
        $async.IsCompleted | Should -BeTrue
        $shell.InvocationStateInfo.State | Should -Be 'Stopped'
        $shell.Dispose()
    }

    It 'stops at the first error with -ErrorAction Stop, before asking about the rest' {
        $missing = Join-Path $Work 'missing-first.pem'
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        { $missing, $Site.Path, $Site.Path | Get-OcspResponse -Responder $SilentUrl -TimeoutSec 120 -ErrorAction Stop } |
            Should -Throw -ErrorId 'GetOcspResponseCertificateUnreadable,OcspStapling.Commands.GetOcspResponseCommand'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 3
    }

    It 'binds an object with only a ComputerName property to the probe' {
        $probe = [pscustomobject]@{ ComputerName = '127.0.0.1' } | Test-OcspStaple -ErrorVariable failures -ErrorAction SilentlyContinue
        $probe | Should -BeNullOrEmpty
        "$($failures[0])" | Should -BeLike '*127.0.0.1:443*'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'TestOcspStaple*,OcspStapling.Commands.TestOcspStapleCommand'
    }

    It 'probes several servers at once, each with its own port and name bound by property' {
        $listeners = 1..3 | ForEach-Object { Start-StaplingListener -Port 0 -CertificatePath $Site.Path -KeyPath $Site.Key -NoStore }
        try {
            $probes = $listeners | ForEach-Object { [pscustomobject]@{ ComputerName = '127.0.0.1'; Port = $_.Port; ServerName = $Site.ServerName } } |
                Test-OcspStaple -Concurrency 3
            $probes.Port | Should -Be $listeners.Port
            $probes.Passed | Should -Be $true, $true, $true
        }
        finally {
            $listeners | Stop-StaplingListener
        }
    }
}

