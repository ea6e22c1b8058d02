# Every example Get-Help shows for the module as built, and every ```powershell block of README.md, run and held to what
# its text says: the type of what it writes, the columns of the table it shows, and the key properties. The code is
# read from the help (never copied here); only host names, paths and ports are replaced by the test's own:
#
#   in the example                            here
#   /etc/ssl/site/fullchain.pem, key.pem       a PEM full chain (leaf, issuing CA) and its key from New-TestPki
#   /etc/ssl/sites                             a directory of full chains: site.pem, shop.pem, revoked.pem
#   /etc/haproxy/certs                         a directory holding site.pem and shop.pem
#   /etc/letsencrypt/live                      a certbot layout: shop/, blog/, legacy/ (legacy names no OCSP URL)
#   /etc/nginx/ocsp, /var/lib/ocspstaple       directories in TestDrive (an export directory, a store)
#   /run/haproxy/admin.sock                    a Unix socket in TestDrive answering `set ssl ocsp-response` as HAProxy does
#   http://ocsp.internal.example/              OpenSSL's OCSP responder on 127.0.0.1
#   shop.example.com:443, ports 8443 and 443   a Start-StaplingListener on 127.0.0.1 (a free port; `-Port` is added
#                                              where the example relies on the default 443)
#   0.0.0.0, 127.0.0.1:8080, 127.0.0.1:9464    127.0.0.1 and free ports
#   ./site.pem, ./old.pem, ./site.der, ./site.pfx  as written, in a TestDrive directory that holds a good full chain, a
#                                              revoked one and a PFX of the good one
#   (Read-Host -AsSecureString)                the PFX's password as a SecureString
#   'systemctl reload nginx'                   a shell line that appends to a file, so the test sees each reload
#   ./out/module-packages                      a folder repository the module as built is published into
#   ./build.ps1                                the build that made the module under test (a build inside the suite would
#                                              replace what it tests): its tasks and output folder are checked instead
# Examples that need Windows run with equivalent objects:
#   Get-ChildItem Cert:\LocalMachine\My        X509Certificate2 objects made from the PEM files (shop, site, and the
#   Get-Item Cert:\LocalMachine\My\3F2A…       issuing CA, which the commands skip); the issuer Windows' chain engine
#   -Path Cert:\LocalMachine\My                finds in the machine's store comes from -TrustedCertificate, set in
#                                              $PSDefaultParameterValues for these examples only; -Path Cert:\… becomes
#                                              -Certificate with those objects
#   C:\nginx\ocsp, C:\ProgramData\…            directories in TestDrive
#   New-/Register-ScheduledTask                the -Command inside -Argument runs in a new pwsh, as the task would run it
#   (Windows-equivalent examples: Get-OcspResponse 1, Get-OcspStaple 2, Start-StaplingListener 2, Update-OcspStaple 3,
#    README.md block 3.)
# Examples with -Wait run in a runspace of their own and are stopped as Ctrl+C would stop them; those that show host
# output (-WhatIf) or exit run in a new pwsh. Never anything but 127.0.0.1.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestPeers.psm1') -Force
    $module = Import-Module (Get-TestModuleManifest) -Force -PassThru
    $script:Examples = @(
        foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
            $help = Get-Help $command.Name -Full
            $n = 0
            foreach ($example in @(if ($help.PSObject.Properties['examples'] -and $help.examples) { $help.examples.example })) {
                $n++
                # The code, then a blank line, then what it shows.
                $parts = ($example.code -replace "`r") -split '\n\s*\n', 2
                @{
                    Id      = "$($command.Name) Example $n"
                    Code    = $parts[0].Trim()
                    Shown   = if ($parts.Count -gt 1) { $parts[1] } else { '' }
                    Remarks = (@($example.remarks | ForEach-Object { $_.Text }) -join "`n")
                }
            }
        }
        $readme = Get-Content -Raw (Join-Path (Get-RepoRoot) 'README.md')
        $n = 0
        foreach ($block in [regex]::Matches($readme, '(?ms)^```powershell\r?\n(.*?)^```')) {
            $n++
            @{ Id = "README.md block $n"; Code = $block.Groups[1].Value.Trim(); Shown = ''; Remarks = '' }
        }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestPeers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest
    Import-Module $Manifest -Force
    $script:Work = Join-Path $TestDrive 'examples'
    $script:ResponderPort = Get-FreeTcpPort
    $script:Pki = New-TestPki -Directory (Join-Path $Work 'pki') -ResponderUrl "http://127.0.0.1:$ResponderPort/" `
        -Good site, shop, blog -Revoked revoked -WithoutOcsp legacy
    $script:Responder = Start-OpenSslResponder -Pki $Pki -Port $ResponderPort
    $script:SavedStore = $env:OCSPSTAPLE_STORE
    $script:PfxPassword = ConvertTo-SecureString 'pester-pfx' -AsPlainText -Force
    $X509 = [System.Security.Cryptography.X509Certificates.X509Certificate2]
    # What Cert:\LocalMachine\My holds on a Windows web server: its site certificates (with keys) and a CA certificate.
    $script:MachineStore = @(
        $X509::CreateFromPemFile($Pki.Leaves.shop.Path, $Pki.Leaves.shop.Key)
        $X509::CreateFromPemFile($Pki.Leaves.site.Path, $Pki.Leaves.site.Key)
        $X509::new($Pki.CA)
    )
    $script:Modules = Split-Path -Parent (Split-Path -Parent (Split-Path -Parent $Manifest))
    $script:Unsubstituted = '/etc/|/var/|/run/|C:\\|Cert:\\|example\.com|\.example/|0\.0\.0\.0|:8080|:9464|Read-Host|systemctl|ScheduledTask'

    function New-Leaf([string] $Name) { $Pki.Leaves[$Name] }

    function New-CertbotLive([string] $Live) {
        foreach ($name in 'shop', 'blog', 'legacy') {
            $dir = New-Item -ItemType Directory -Force (Join-Path $Live $name)
            $leaf = $Pki.Leaves[$name]
            Copy-Item (Join-Path $Pki.Directory "$name.cert.pem") (Join-Path $dir 'cert.pem')
            Copy-Item $Pki.CA (Join-Path $dir 'chain.pem')
            Copy-Item $leaf.Path (Join-Path $dir 'fullchain.pem')
            Copy-Item $leaf.Key (Join-Path $dir 'privkey.pem')
        }
    }

    function Start-FakeHAProxySocket([string] $Path, [string] $Log) {
        # HAProxy's runtime API: one command per connection, answered and closed.
        $socket = [System.Net.Sockets.Socket]::new('Unix', 'Stream', 'Unspecified')
        $socket.Bind([System.Net.Sockets.UnixDomainSocketEndPoint]::new($Path))
        $socket.Listen(8)
        $shell = [powershell]::Create().AddScript({
                param($Socket, $Log)
                while ($true) {
                    $client = $Socket.Accept()
                    $buffer = [byte[]]::new(65536)
                    $text = ''
                    do {
                        $read = $client.Receive($buffer)
                        $text += [System.Text.Encoding]::ASCII.GetString($buffer, 0, $read)
                    } while ($read -gt 0 -and -not $text.EndsWith("`n"))
                    Add-Content -Path $Log -Value $text.TrimEnd()
                    $null = $client.Send([System.Text.Encoding]::ASCII.GetBytes("OCSP Response updated!`n`n"))
                    $client.Close()
                }
            }).AddArgument($socket).AddArgument($Log)
        $null = $shell.BeginInvoke()
        [pscustomobject]@{ Socket = $socket; Shell = $shell }
    }

    function New-ExampleWorld([string] $Id) {
        <# Fresh directories, ports and peers for one example, and what its names become. #>
        $root = New-Item -ItemType Directory -Force (Join-Path $Work ($Id -replace '[^\w]+', '-'))
        $w = [ordered]@{ Root = $root.FullName }
        foreach ($name in 'Sites', 'HAProxy', 'Live', 'Nginx', 'Store', 'Export', 'Repository') {
            $w[$name] = (New-Item -ItemType Directory -Force (Join-Path $root $name.ToLowerInvariant())).FullName
        }
        foreach ($name in 'site', 'shop', 'revoked') { Copy-Item $Pki.Leaves[$name].Path $w.Sites }
        foreach ($name in 'site', 'shop') { Copy-Item $Pki.Leaves[$name].Path $w.HAProxy }
        New-CertbotLive $w.Live
        # The working directory of ./site.pem and friends.
        Copy-Item $Pki.Leaves.site.Path (Join-Path $root 'site.pem')
        Copy-Item $Pki.Leaves.revoked.Path (Join-Path $root 'old.pem')
        $w.Socket = Join-Path $root 'admin.sock'
        $w.SocketLog = Join-Path $root 'admin.sock.log'
        $w.Reloads = Join-Path $root 'reloads'
        $w.Port = Get-FreeTcpPort
        $w.Backend = Get-FreeTcpPort
        $w.Metrics = Get-FreeTcpPort
        $w
    }

    function Get-Substitution($w) {
        [ordered]@{
            'Get-Item Cert:\LocalMachine\My\3F2A…'    = '$MachineStore[0]'
            'Get-ChildItem Cert:\LocalMachine\My'     = '$MachineStore'
            '-Path Cert:\LocalMachine\My'             = '-Certificate $MachineStore'
            'C:\ProgramData\OcspStapling\staples'     = $w.Store
            'C:\ProgramData\OcspStapling\export'      = $w.Export
            'C:\nginx\ocsp'                           = $w.Nginx
            '/etc/ssl/site/fullchain.pem'             = $Pki.Leaves.site.Path
            '/etc/ssl/site/key.pem'                   = $Pki.Leaves.site.Key
            '/etc/ssl/sites'                          = $w.Sites
            '/etc/nginx/ocsp'                         = $w.Nginx
            '/etc/haproxy/certs'                      = $w.HAProxy
            '/etc/letsencrypt/live'                   = $w.Live
            '/var/lib/ocspstaple'                     = $w.Store
            '/run/haproxy/admin.sock'                 = $w.Socket
            'http://ocsp.internal.example/'           = "http://127.0.0.1:$ResponderPort/"
            'shop.example.com -Port 443'              = "127.0.0.1 -Port $($w.Port)"
            'shop.example.com'                        = "127.0.0.1 -Port $($w.Port)"
            '-Port 8443'                              = "-Port $($w.Port)"
            '-Port 443'                               = "-Port $($w.Port)"
            '0.0.0.0'                                 = '127.0.0.1'
            '127.0.0.1:8080'                          = "127.0.0.1:$($w.Backend)"
            '127.0.0.1:9464'                          = "127.0.0.1:$($w.Metrics)"
            '(Read-Host -AsSecureString)'             = '$PfxPassword'
            'systemctl reload nginx'                  = "echo reloaded >> $($w.Reloads)"
            './out/module-packages'                   = $w.Repository
        }
    }

    function ConvertTo-TestCode([string] $Code, $w) {
        $substitution = Get-Substitution $w
        foreach ($name in $substitution.Keys) { $Code = $Code.Replace($name, $substitution[$name]) }
        $Code
    }

    function Invoke-Here([string] $Code, $w, [hashtable] $Defaults = @{}) {
        <# Runs the code in this session, in the example's directory; its streams sorted as a user sees them. #>
        $PSDefaultParameterValues = $Defaults
        $env:OCSPSTAPLE_STORE = $w.Store
        Push-Location $w.Root
        try {
            $all = @(& ([scriptblock]::Create($Code)) *>&1)
        }
        finally {
            Pop-Location
            $env:OCSPSTAPLE_STORE = $SavedStore
        }
        [pscustomobject]@{
            Output   = @($all | Where-Object { $_ -isnot [System.Management.Automation.ErrorRecord] -and $_ -isnot [System.Management.Automation.WarningRecord] -and $_ -isnot [System.Management.Automation.VerboseRecord] -and $_ -isnot [System.Management.Automation.InformationRecord] })
            Errors   = @($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
            Warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
            Verbose  = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        }
    }

    function Invoke-Child([string] $Code, $w, [string] $Prelude = '', [hashtable] $Environment = @{}) {
        <# Runs the code in a new pwsh that finds the module as an installed one; returns its exit code and every line. #>
        $variables = @{ PSModulePath = Get-PSModulePathWith $Modules; OCSPSTAPLE_STORE = $w.Store }
        foreach ($name in $Environment.Keys) { $variables[$name] = if ($Environment[$name]) { $Environment[$name] } else { $null } }
        $run = Invoke-FreshPwsh -Script "$Prelude`n$Code" -Environment $variables -WorkingDirectory $w.Root
        [pscustomobject]@{ ExitCode = $run.ExitCode; Lines = $run.Lines; Text = $run.Lines -join "`n" }
    }

    function Invoke-UntilStopped([string] $Code, $w, [scriptblock] $WhileRunning, [hashtable] $Defaults = @{}) {
        <# Runs a -Wait example in a runspace of its own, does $WhileRunning once it listens, then stops it as Ctrl+C does. #>
        $shell = [powershell]::Create()
        $null = $shell.AddScript("Import-Module '$Manifest'; Set-Location '$($w.Root)'`n$Code")
        $shell.Runspace.SessionStateProxy.SetVariable('MachineStore', $MachineStore)
        $shell.Runspace.SessionStateProxy.SetVariable('PfxPassword', $PfxPassword)
        $shell.Runspace.SessionStateProxy.SetVariable('PSDefaultParameterValues', $Defaults)
        $env:OCSPSTAPLE_STORE = $w.Store
        $async = $shell.BeginInvoke()
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (-not (Test-Connection -TargetName 127.0.0.1 -TcpPort $w.Port -TimeoutSeconds 1 -Quiet)) {
                if ($async.IsCompleted -or [DateTime]::UtcNow -gt $deadline) {
                    throw "It did not listen on $($w.Port): $($shell.Streams.Error | Out-String)"
                }
                Start-Sleep -Milliseconds 100
            }
            $seen = & $WhileRunning
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $shell.Stop()
            [pscustomobject]@{
                Seen = $seen; StoppedIn = $watch.Elapsed; State = $shell.InvocationStateInfo.State
                Errors = @($shell.Streams.Error)
            }
        }
        finally {
            $env:OCSPSTAPLE_STORE = $SavedStore
            $shell.Dispose()
        }
    }

    function Get-TableHeader([string] $Text) {
        <# The column names of the first table in $Text: the line above the first line of dashes. #>
        $lines = $Text -split '\r?\n'
        for ($i = 1; $i -lt $lines.Count; $i++) {
            if ($lines[$i] -match '^\s*-+(\s+-+)*\s*$') { return @(-split $lines[$i - 1]) }
        }
        @()
    }

    function Get-Listed([string] $Text) {
        <# The property names a Format-List output shows. #>
        @([regex]::Matches($Text, '(?m)^(\w+)\s+: ') | ForEach-Object { $_.Groups[1].Value })
    }

    $Windows = @{ 'Get-OcspResponse:TrustedCertificate' = $Pki.CA; 'Update-OcspStaple:TrustedCertificate' = $Pki.CA; 'Start-StaplingListener:TrustedCertificate' = $Pki.CA }
    $Thumbprint = { param($c) $c.GetCertHashString('SHA256').ToLowerInvariant() }

    # Example id -> how it runs and what it must produce. Mode: Here (this session), Child (a new pwsh), Wait (until
    # stopped). Setup prepares what the example takes for granted; Assert gets what ran and the world.
    $script:Expectations = @{
        'Export-OcspStapleFile Example 1' = @{ Mode = 'Here'; Assert = {
                param($r, $w)
                $r.Output.Count | Should -Be 1
                $r.Output[0] | Should -BeOfType System.IO.FileInfo
                $r.Output[0].FullName | Should -Be (Join-Path $w.Nginx 'site.der')
                $r.Output[0].Length | Should -BeGreaterThan 0
                ($r.Output | Out-String -Width 200) | Should -Match "Directory: $([regex]::Escape($w.Nginx))"
            }
        }
        'Export-OcspStapleFile Example 2' = @{ Mode = 'Here'; Assert = {
                param($r, $w)
                $r.Output | Should -BeNullOrEmpty
                (Get-ChildItem $w.HAProxy -Filter '*.ocsp').Name | Sort-Object | Should -Be 'shop.pem.ocsp', 'site.pem.ocsp'
                (Test-OcspStaple -Path (Join-Path $w.HAProxy 'site.pem.ocsp') -CertificatePath (Join-Path $w.HAProxy 'site.pem')).Passed | Should -BeTrue
            }
        }
        'Export-OcspStapleFile Example 3' = @{ Mode = 'Child'; Assert = {
                param($r, $w)
                $r.ExitCode | Should -Be 0
                $target = Join-Path $w.Root 'site.der'
                $r.Lines | Should -Contain "What if: Performing the operation `"Write Der OCSP staple for 'CN=site.pester.test'`" on target `"$target`"."
                $target | Should -Not -Exist
            }
        }
        'Get-OcspResponse Example 1' = @{ Mode = 'Here'; Windows = $true; Assert = {
                param($r, $w)
                $r.Errors | Should -BeNullOrEmpty
                $r.Output.Count | Should -Be 1
                $r.Output[0] | Should -BeOfType OcspStapling.OcspResponseInfo
                $r.Output[0].Subject | Should -Be 'CN=shop.pester.test'
                $r.Output[0].CertStatus | Should -Be 'Good'
                $r.Output[0].Verified | Should -BeTrue
                $r.Output[0].NextUpdate | Should -BeGreaterThan ([DateTime]::UtcNow)
            }
        }
        'Get-OcspResponse Example 2' = @{ Mode = 'Here'; Assert = {
                param($r, $w)
                $r.Output[0] | Should -BeOfType OcspStapling.OcspResponseInfo
                $r.Output[0].CertStatus | Should -Be 'Good'
                $site = $Pki.Leaves.site.Path
                $r.Verbose.Message | Should -Be @(
                    "${site}: issuer 'CN=issuing-ca.pester.test' from the chain in $site."
                    "${site}: Get http://127.0.0.1:$ResponderPort/ answered: good, verified.")
            }
        }
        'Get-OcspResponse Example 3' = @{ Mode = 'Here'; Assert = {
                param($r, $w)
                $r.Output.Count | Should -Be 1
                $r.Output[0] | Should -BeOfType string
                $r.Output[0] | Should -Match '^The certificate is REVOKED \(since \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ, reason KeyCompromise\); replace it\.$'
            }
        }
        'Get-OcspStaple Example 1' = @{ Mode = 'Here'
            Setup = {
                param($w)
                Update-OcspStaple -Path $w.Live -StorePath $w.Store | Out-Null
                # blog's next refresh meets a responder that accepts and never answers: its staple is still valid.
                $silent = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
                $silent.Start()
                try {
                    Update-OcspStaple -Path (Join-Path $w.Live 'blog') -StorePath $w.Store -Force -TimeoutSec 1 `
                        -Responder "http://127.0.0.1:$($silent.LocalEndpoint.Port)/" -WarningAction SilentlyContinue | Out-Null
                }
                finally { $silent.Stop() }
            }
            Assert = {
                param($r, $w)
                $r.Output.Count | Should -Be 1
                $r.Output[0] | Should -BeOfType OcspStapling.SiteStatus
                $r.Output[0].Site | Should -Be 'blog'
                $r.Output[0].State | Should -Be 'RefreshFailed'
                $r.Output[0].HasValidStaple | Should -BeTrue
                $r.Output[0].Reason | Should -Match 'did not answer within 1 s'
                $r.Output[0].Outcome | Should -Be 'NotFetched'
            }
        }
        'Get-OcspStaple Example 2' = @{ Mode = 'Here'; Windows = $true
            Setup = { param($w) Update-OcspStaple -Certificate $MachineStore -StorePath $w.Store -TrustedCertificate $Pki.CA | Out-Null }
            Assert = {
                param($r, $w)
                $text = $r.Output | Out-String -Width 200
                Get-Listed $text | Select-Object -Unique | Should -Be 'Site', 'State', 'Thumbprint', 'NextUpdate'
                $text | Should -Match "Site\s+: CN=shop.pester.test\s+State\s+: Stapled\s+Thumbprint : $(& $Thumbprint $MachineStore[0])"
                $text | Should -Match "Site\s+: CN=site.pester.test\s+State\s+: Stapled\s+Thumbprint : $(& $Thumbprint $MachineStore[1])"
                $text | Should -Not -Match 'issuing-ca'
            }
        }
        'Get-OcspStaple Example 3' = @{ Mode = 'Child'; Assert = {
                param($r, $w)
                # Nothing fetched yet: both HAProxy certificates have no valid staple, a problem.
                $r.ExitCode | Should -Be 3
                $again = Invoke-Child -Code (ConvertTo-TestCode $r.Code $w) -w $w -Prelude "Update-OcspStaple -Path '$($w.HAProxy)' | Out-Null"
                $again.ExitCode | Should -Be 0
            }
        }
        'Get-StaplingListener Example 1' = @{ Mode = 'Here'
            Setup = { param($w) Start-StaplingListener -Port $w.Port -CertificatePath $Pki.Leaves.shop.Path -KeyPath $Pki.Leaves.shop.Key -StorePath $w.Store | Out-Null }
            Assert = {
                param($r, $w)
                $mine = @($r.Output | Where-Object Port -eq $w.Port)
                $mine.Count | Should -Be 1
                $mine[0] | Should -BeOfType OcspStapling.StaplingListenerInfo
                $mine[0].Endpoint | Should -Be "127.0.0.1:$($w.Port)"
                $mine[0].Subject | Should -Be 'CN=shop.pester.test'
                $mine[0].StapleStatus | Should -Be 'Good'
                ($mine | Out-String -Width 200) | Should -Match "127\.0\.0\.1:$($w.Port)\s+CN=shop\.pester\.test\s+Good"
            }
        }
        'Get-StaplingListener Example 2' = @{ Mode = 'Here'
            Setup = { param($w) Start-StaplingListener -Port $w.Port -CertificatePath $Pki.Leaves.shop.Path -KeyPath $Pki.Leaves.shop.Key -StorePath $w.Store | Out-Null }
            Assert = {
                param($r, $w)
                $text = $r.Output | Out-String -Width 200
                Get-Listed $text | Should -Be 'StapleStatus', 'NextUpdate', 'LastRefresh', 'LastRefreshError'
                $text | Should -Match 'StapleStatus\s+: Good'
                $text | Should -Match 'LastRefreshError : *(\r?\n|$)'
            }
        }
        'Start-StaplingListener Example 1' = @{ Mode = 'Here'; Assert = {
                param($r, $w)
                $r.Output.Count | Should -Be 1
                $l = $r.Output[0]
                $l | Should -BeOfType OcspStapling.StaplingListenerInfo
                $l.Endpoint | Should -Be "127.0.0.1:$($w.Port)"
                $l.Subject | Should -Be 'CN=site.pester.test'
                $l.StapleStatus | Should -Be 'Good'
                $l.Handshakes | Should -Be 0
                $l.ForwardTo | Should -Be "127.0.0.1:$($w.Backend)"
                # Fetched before the first connection was accepted: the first client gets it.
                (Test-OcspStaple -ComputerName 127.0.0.1 -Port $w.Port -ServerName site.pester.test).Stapled | Should -BeTrue
            }
        }
        'Start-StaplingListener Example 2' = @{ Mode = 'Wait'; Windows = $true
            WhileRunning = { param($w) Test-OcspStaple -ComputerName 127.0.0.1 -Port $w.Port -ServerName shop.pester.test -TrustedCertificate $Pki.CA }
            Assert = {
                param($r, $w)
                $r.Seen | Should -BeOfType OcspStapling.StapleProbeInfo
                $r.Seen.Subject | Should -Be 'CN=shop.pester.test'
                $r.Seen.Stapled | Should -BeTrue
                $r.Seen.Passed | Should -BeTrue
                $r.State | Should -Be 'Stopped'
                $r.StoppedIn.TotalSeconds | Should -BeLessThan 15
                Test-Connection -TargetName 127.0.0.1 -TcpPort $w.Port -TimeoutSeconds 1 -Quiet | Should -BeFalse
            }
        }
        'Start-StaplingListener Example 3' = @{ Mode = 'Wait'
            WhileRunning = {
                param($w)
                @('shop', 'blog', 'legacy' | ForEach-Object { Test-OcspStaple -ComputerName 127.0.0.1 -Port $w.Port -ServerName "$_.pester.test" -ErrorAction SilentlyContinue }) +
                @((Invoke-WebRequest "http://127.0.0.1:$($w.Metrics)/metrics").Content)
            }
            Assert = {
                param($r, $w)
                $shop, $blog, $legacy, $metrics = $r.Seen
                $shop.Subject, $blog.Subject, $legacy.Subject | Should -Be 'CN=shop.pester.test', 'CN=blog.pester.test', 'CN=legacy.pester.test'
                $shop.Passed, $blog.Passed | Should -Be $true, $true
                $legacy.Stapled | Should -BeFalse
                $metrics | Should -Match 'handshakes'
                $r.State | Should -Be 'Stopped'
            }
        }
        'Start-StaplingListener Example 4' = @{ Mode = 'Here'
            Setup = {
                param($w)
                & openssl pkcs12 -export -in $Pki.Leaves.site.Path -inkey $Pki.Leaves.site.Key -out (Join-Path $w.Root 'site.pfx') -passout pass:pester-pfx
                $LASTEXITCODE | Should -Be 0
                $staple = Join-Path $w.Store 'export/site.pfx.ocsp'
                New-Item -ItemType Directory -Force (Split-Path $staple) | Out-Null
                $w.Kept = Get-OcspResponse -Path $Pki.Leaves.site.Path | Export-OcspStapleFile -Path $staple -PassThru
                # The file is what it serves, whatever the responder says: here it says nothing.
                Stop-TestProcess $script:Responder
            }
            Cleanup = { param($w) $script:Responder = Start-OpenSslResponder -Pki $Pki -Port $ResponderPort }
            Assert = {
                param($r, $w)
                $r.Output.Count | Should -Be 1
                $r.Output[0] | Should -BeOfType OcspStapling.StaplingListenerInfo
                $r.Output[0].StapleStatus | Should -Be 'Good'
                $probe = Test-OcspStaple -ComputerName 127.0.0.1 -Port $w.Port -ServerName site.pester.test
                $probe.Passed | Should -BeTrue
                $probe.NextUpdate | Should -Be (Test-OcspStaple -Path $w.Kept.FullName -CertificatePath $Pki.Leaves.site.Path).NextUpdate
            }
        }
        'Stop-StaplingListener Example 1' = @{ Mode = 'Here'
            Setup = { param($w) Start-StaplingListener -Port $w.Port -CertificatePath $Pki.Leaves.site.Path -KeyPath $Pki.Leaves.site.Key -StorePath $w.Store | Out-Null }
            Assert = {
                param($r, $w)
                $r.Output | Should -BeNullOrEmpty
                Get-StaplingListener | Should -BeNullOrEmpty
                Test-Connection -TargetName 127.0.0.1 -TcpPort $w.Port -TimeoutSeconds 1 -Quiet | Should -BeFalse
            }
        }
        'Stop-StaplingListener Example 2' = @{ Mode = 'Here'
            Setup = {
                param($w)
                Start-StaplingListener -Port $w.Port -CertificatePath $Pki.Leaves.shop.Path -KeyPath $Pki.Leaves.shop.Key -StorePath $w.Store | Out-Null
                # One full handshake by a real client (the probe stops once it has the staple, which is not counted).
                $null = 'Q' | & openssl s_client -connect "127.0.0.1:$($w.Port)" -servername shop.pester.test -status 2>&1
                # The listener counts a handshake once its connection is done with.
                $deadline = [DateTime]::UtcNow.AddSeconds(10)
                while ((Get-StaplingListener -Port $w.Port).Handshakes -lt 1 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            }
            Assert = {
                param($r, $w)
                $r.Output.Count | Should -Be 1
                $r.Output[0] | Should -BeOfType OcspStapling.StaplingListenerInfo
                $r.Output[0].Endpoint | Should -Be "127.0.0.1:$($w.Port)"
                $r.Output[0].StapleStatus | Should -Be 'Good'
                $r.Output[0].Handshakes | Should -Be 1
                $r.Output[0].StapledHandshakes | Should -Be 1
                Get-StaplingListener -Port $w.Port | Should -BeNullOrEmpty
            }
        }
        'Test-OcspStaple Example 1' = @{ Mode = 'Here'; Assert = {
                param($r, $w)
                $r.Output | Should -BeNullOrEmpty
                (Get-ChildItem $w.Nginx).Name | Sort-Object | Should -Be 'shop.pem.ocsp', 'site.pem.ocsp'
                @($r.Warnings).Count | Should -Be 1
                "$($r.Warnings[0])" | Should -Match 'revoked'
            }
        }
        'Test-OcspStaple Example 2' = @{ Mode = 'Here'
            Setup = { param($w) Get-OcspResponse -Path $Pki.Leaves.site.Path | Export-OcspStapleFile -Path (Join-Path $w.Nginx 'site.der') }
            Assert = {
                param($r, $w)
                $r.Output.Count | Should -Be 1
                $r.Output[0] | Should -BeOfType OcspStapling.StapleTestInfo
                $r.Output[0].Subject | Should -Be 'CN=site.pester.test'
                $r.Output[0].Passed | Should -BeTrue
                $r.Output[0].CertStatus | Should -Be 'Good'
                $r.Output[0].Findings | Should -BeNullOrEmpty
            }
        }
        'Test-OcspStaple Example 3' = @{ Mode = 'Here'
            Setup = { param($w) Start-StaplingListener -Port $w.Port -CertificatePath $Pki.Leaves.shop.Path -KeyPath $Pki.Leaves.shop.Key -StorePath $w.Store | Out-Null }
            Assert = {
                param($r, $w)
                $r.Output.Count | Should -Be 1
                $p = $r.Output[0]
                $p | Should -BeOfType OcspStapling.StapleProbeInfo
                $p.ComputerName, $p.Port | Should -Be '127.0.0.1', $w.Port
                $p.Subject | Should -Be 'CN=shop.pester.test'
                $p.Stapled, $p.Passed, $p.MustStaple | Should -Be $true, $true, $false
                $p.CertStatus | Should -Be 'Good'
            }
        }
        'Test-OcspStaple Example 4' = @{ Mode = 'Here'
            Setup = { param($w) Start-StaplingListener -Port $w.Port -CertificatePath $Pki.Leaves.shop.Path -KeyPath $Pki.Leaves.shop.Key -StorePath $w.Store -AllowNoStapling -Responder "http://127.0.0.1:$(Get-FreeTcpPort)/" -WarningAction SilentlyContinue | Out-Null }
            Assert = {
                param($r, $w)
                # The server answers TLS but staples nothing (its responder is down): the script warns, and -Quiet said $false.
                $r.Output | Should -BeNullOrEmpty
                "$($r.Warnings)" | Should -Be 'shop is not stapling a good response'
                Stop-StaplingListener -Port $w.Port
                Start-StaplingListener -Port $w.Port -CertificatePath $Pki.Leaves.shop.Path -KeyPath $Pki.Leaves.shop.Key -StorePath (Join-Path $w.Root 'good-store') | Out-Null
                (Invoke-Here -Code (ConvertTo-TestCode $r.Code $w) -w $w).Warnings | Should -BeNullOrEmpty
            }
        }
        'Update-OcspStaple Example 1' = @{ Mode = 'Here'; Assert = {
                param($r, $w)
                $r.Output.Count | Should -Be 3
                $r.Output | ForEach-Object { $_ | Should -BeOfType OcspStapling.SiteStatus }
                $r.Output.Site | Sort-Object | Should -Be 'blog', 'legacy', 'shop'
                ($r.Output | Where-Object Site -eq legacy).State | Should -Be 'NoOcsp'
                ($r.Output | Where-Object Site -ne legacy).State | Should -Be 'Stapled', 'Stapled'
                $r.Errors + $r.Warnings | Should -BeNullOrEmpty
                (Get-ChildItem $w.Nginx).Name | Sort-Object | Should -Be 'blog.ocsp', 'shop.ocsp'
                @(Get-Content $w.Reloads).Count | Should -Be 1
                # Run again: nothing changed, so nginx is not reloaded.
                $null = Invoke-Here -Code (ConvertTo-TestCode $r.Code $w) -w $w
                @(Get-Content $w.Reloads).Count | Should -Be 1
            }
        }
        'Update-OcspStaple Example 2' = @{ Mode = 'Here'
            Setup = { param($w) $w.FakeHAProxy = Start-FakeHAProxySocket $w.Socket $w.SocketLog }
            Cleanup = { param($w) $w.FakeHAProxy.Socket.Close(); $w.FakeHAProxy.Shell.Dispose() }
            Assert = {
                param($r, $w)
                $r.Output.State | Should -Be 'Stapled', 'Stapled'
                (Get-ChildItem $w.HAProxy -Filter '*.ocsp').Name | Sort-Object | Should -Be 'shop.pem.ocsp', 'site.pem.ocsp'
                $pushed = @(Get-Content $w.SocketLog | ForEach-Object { $_ -replace '^set ssl ocsp-response ', '' })
                $pushed.Count | Should -Be 2
                $files = Get-ChildItem $w.HAProxy -Filter '*.ocsp' | ForEach-Object { [Convert]::ToBase64String([System.IO.File]::ReadAllBytes($_.FullName)) }
                $pushed | Sort-Object | Should -Be ($files | Sort-Object)
            }
        }
        'Update-OcspStaple Example 3' = @{ Mode = 'Task'; Windows = $true; Assert = {
                param($r, $w)
                $r.ExitCode | Should -Be 0
                $names = (Get-ChildItem $w.Export).Name | Sort-Object
                $names | Should -Be (@($MachineStore[0], $MachineStore[1] | ForEach-Object { "$(& $Thumbprint $_).ocsp" }) | Sort-Object)
                # Every 30 minutes, so -Interval 00:30:00.
                $r.Code | Should -Match '-RepetitionInterval \(New-TimeSpan -Minutes 30\)'
                $r.Code | Should -Match '-Interval 00:30:00'
            }
        }
        'README.md block 1' = @{ Mode = 'Build'; Assert = {
                param($r, $w)
                $r.ExitCode | Should -Be 0
                $version = ([xml](Get-Content -Raw (Join-Path (Get-RepoRoot) 'Directory.Build.props'))).Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1
                $r.Lines[-1] | Should -Be "OcspStapling $version $(Split-Path $Manifest) examples"
                $tasks = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path (Get-RepoRoot) 'build.ps1'), [ref] $null, [ref] $null).
                    ParamBlock.Parameters.Where({ $_.Name.VariablePath.UserPath -eq 'Task' })[0].Attributes.Where({ $_.TypeName.Name -eq 'ValidateSet' })[0].PositionalArguments.Value
                $r.Code | Should -Match "\(tasks: $($tasks -join ', ')\)"
            }
        }
        'README.md block 2' = @{ Mode = 'Gallery'; Assert = {
                param($r, $w)
                $r.ExitCode | Should -Be 0
                $r.Lines[-1] | Should -BeLike "Good $(Join-Path $w.Root 'home')*"
            }
        }
        'README.md block 3' = @{ Mode = 'Here'; Windows = $true
            Assert = {
                param($r, $w)
                $r.Errors | Should -BeNullOrEmpty
                $r.Output.Count | Should -Be 1
                $r.Output[0] | Should -BeOfType OcspStapling.StapleTestInfo
                $r.Output[0].Passed | Should -BeTrue
                # The shop's certificate object exports under its thumbprint, the full chain to the path given.
                (Get-ChildItem $w.Nginx).Name | Sort-Object | Should -Be (@("$(& $Thumbprint $MachineStore[0]).ocsp", 'site.der') | Sort-Object)
                (Get-ChildItem $w.HAProxy -Filter '*.ocsp').Name | Sort-Object | Should -Be 'shop.pem.ocsp', 'site.pem.ocsp'
            }
        }
    }
}

AfterAll {
    Get-StaplingListener | Stop-StaplingListener
    Stop-TestProcess $Responder
    $env:OCSPSTAPLE_STORE = $SavedStore
}

Describe 'The examples of the help and the README' {
    It 'every example has an expectation, and every expectation an example' {
        $ids = @($Examples | ForEach-Object { $_.Id })
        @($ids | Where-Object { -not $Expectations.ContainsKey($_) }) | Should -BeNullOrEmpty -Because 'a new example needs its entry in $Expectations'
        @($Expectations.Keys | Where-Object { $_ -notin $ids }) | Should -BeNullOrEmpty -Because 'an example that went away takes its entry with it'
    } -TestCases @{ Examples = $Examples }

    It 'every cmdlet shows at least two examples' {
        $Examples | Where-Object { $_.Id -notlike 'README*' } | Group-Object { ($_.Id -split ' ')[0] } |
            Where-Object Count -lt 2 | Should -BeNullOrEmpty
        @($Examples | Where-Object { $_.Id -notlike 'README*' } | ForEach-Object { ($_.Id -split ' ')[0] } | Select-Object -Unique).Count |
            Should -Be @(Get-Command -Module OcspStapling -CommandType Cmdlet).Count
    } -TestCases @{ Examples = $Examples }
}

Describe '<Id>' -ForEach $Examples {
    BeforeAll {
        $script:Expected = $Expectations[$Id]
        $script:World = New-ExampleWorld $Id
        $script:TestCode = if ($Expected) { ConvertTo-TestCode $Code $World } else { '' }
    }

    AfterAll {
        if ($Expected -and $Expected.ContainsKey('Cleanup')) { & $Expected.Cleanup $World }
        Get-StaplingListener | Stop-StaplingListener
    }

    It 'has an expectation' {
        $Expected | Should -Not -BeNullOrEmpty -Because "$Id needs an entry in `$Expectations"
    }

    It 'names no host, path or port but the test''s own' {
        $TestCode | Should -Not -BeNullOrEmpty
        $TestCode -replace '(?m)^\$action = New-ScheduledTaskAction |^Register-ScheduledTask .*$', '' | Should -Not -Match $Unsubstituted
    }

    It 'runs and produces what its text says' {
        if ($Expected.ContainsKey('Setup')) { & $Expected.Setup $World }
        $defaults = if ($Expected.ContainsKey('Windows')) { $Windows } else { @{} }
        $result = switch ($Expected.Mode) {
            'Here' { Invoke-Here -Code $TestCode -w $World -Defaults $defaults }
            'Child' { Invoke-Child -Code $TestCode -w $World -Prelude "Import-Module '$Manifest'" }
            'Wait' { Invoke-UntilStopped -Code $TestCode -w $World -Defaults $defaults -WhileRunning { & $Expected.WhileRunning $World } }
            'Task' {
                # The task runs `pwsh <-Argument>`: here the -Command inside it, with the store's equivalent objects.
                $command = [regex]::Match($TestCode, "-Argument '-NoProfile -Command `"([^`"]+)`"'").Groups[1].Value
                $command | Should -Match '^Update-OcspStaple '
                $prelude = "`$MachineStore = @('$($Pki.Leaves.shop.Path)', '$($Pki.Leaves.site.Path)', '$($Pki.CA)') | ForEach-Object { [System.Security.Cryptography.X509Certificates.X509Certificate2]::new(`$_) }; `$PSDefaultParameterValues['Update-OcspStaple:TrustedCertificate'] = '$($Pki.CA)'"
                Invoke-Child -Code $command -w $World -Prelude $prelude
            }
            'Build' {
                # ./build.ps1 made the module under test; the rest runs as written where its out/ folder is.
                $World.Root = Split-Path -Parent (Split-Path -Parent (Split-Path -Parent (Split-Path -Parent $Manifest)))
                $line = $TestCode -replace '(?m)^\./build\.ps1\b.*$', ''
                Invoke-Child -Code "$line`n`$m = Get-Module OcspStapling; '{0} {1} {2} {3}' -f `$m.Name, `$m.Version, `$m.ModuleBase, ((Get-Help Get-OcspResponse -Examples).examples.example.Count -ge 2 ? 'examples' : 'no examples')" -w $World
            }
            'Gallery' {
                $tempHome = Join-Path $World.Root 'home'
                New-Item -ItemType Directory -Force (Join-Path $tempHome '.config'), (Join-Path $tempHome '.local/share') | Out-Null
                $isolated = @{ HOME = $tempHome; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; XDG_CACHE_HOME = $null; PSModulePath = $null }
                # What ./build.ps1 -Task Package leaves in ./out/module-packages: the module as built, as a package.
                $prelude = "`$ErrorActionPreference = 'Stop'; Register-PSResourceRepository -Name Pack -Uri '$($World.Repository)'; Publish-PSResource -Path '$(Split-Path $Manifest)' -Repository Pack; Unregister-PSResourceRepository -Name Pack"
                # "then Import-Module OcspStapling, or just call its cmdlets": a cmdlet called by name auto-loads it.
                $after = "'{0} {1}' -f (Get-OcspResponse -Path '$($Pki.Leaves.site.Path)').CertStatus, (Get-Module OcspStapling).ModuleBase"
                Invoke-Child -Code "$TestCode`n$after" -w $World -Prelude $prelude -Environment $isolated
            }
        }
        $result | Add-Member -NotePropertyName Code -NotePropertyValue $TestCode -Force
        if ($Shown -and ($header = Get-TableHeader $Shown)) {
            # The table the example shows has the columns the object's view shows.
            Get-TableHeader ($result.Output | Out-String -Width 300) | Should -Be $header
        }
        & $Expected.Assert $result $World
    }
}
