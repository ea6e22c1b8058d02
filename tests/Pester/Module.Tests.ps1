# The module as PowerShell loads it: what it exports, where its assemblies load, what users can name, and what
# Remove-Module leaves behind. Import and removal run in fresh sessions so each test sees what a new shell sees.

BeforeDiscovery {
    $script:Exported = 'Get-OcspResponse', 'Test-OcspStaple', 'Export-OcspStapleFile', 'Update-OcspStaple', 'Get-OcspStaple',
        'Start-StaplingListener', 'Get-StaplingListener', 'Stop-StaplingListener'
    $script:NamedTypes = 'OcspStapling.CertIdHash', 'OcspStapling.RequestMethod', 'OcspStapling.StapleFormat', 'OcspStapling.ListenerTls'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestPeers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest
    $script:ModuleBase = Split-Path -Parent $Manifest
    Import-Module $Manifest -Force
    $script:Work = Join-Path $TestDrive 'module'
    $script:Port = Get-FreeTcpPort
    $script:Pki = New-TestPki -Directory (Join-Path $Work 'pki') -ResponderUrl "http://127.0.0.1:$Port/" -WithoutOcsp plain
    $script:Responder = Start-OpenSslResponder -Pki $Pki -Port $Port
    $script:Site = $Pki.Leaves.site

    # How many Resolving handlers of this module the default load context holds: read from the runtime itself.
    $script:CountHandlers = @'
function Get-OcspStaplingHandlerCount {
    $field = [System.Runtime.Loader.AssemblyLoadContext].GetField('_resolving', [System.Reflection.BindingFlags]'NonPublic,Instance')
    $handlers = $field.GetValue([System.Runtime.Loader.AssemblyLoadContext]::Default)
    @(if ($handlers) { $handlers.GetInvocationList() | Where-Object { $_.Method.DeclaringType.Assembly.GetName().Name -eq 'OcspStapling' } }).Count
}
'@
}

AfterAll {
    Stop-TestProcess $Responder
}

Describe 'Import-Module' {
    It 'exports <_>' -ForEach $Exported {
        Get-Command -Module OcspStapling -Name $_ | Should -Not -BeNullOrEmpty
    }

    It 'exports nothing else' {
        (Get-Command -Module OcspStapling).Name | Sort-Object | Should -Be ($Exported | Sort-Object)
    }

    It 'lets users name [<_>]' -ForEach $NamedTypes {
        $type = $_ -as [type]
        $type | Should -Not -BeNullOrEmpty
        $type.IsEnum | Should -BeTrue
    }

    It 'tab-completes enum parameters' {
        $line = 'Get-OcspResponse -HashAlgorithm S'
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completion.CompletionMatches.CompletionText | Should -Be 'Sha1', 'Sha256'
    }

    It 'loads the engine and its libraries in a context of their own, and only the surface in the default one' {
        $null = Get-OcspResponse -Path $Site.Path
        $contexts = @{}
        foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies()) {
            $contexts[$assembly.GetName().Name] = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name
        }
        $contexts['OcspStapling'] | Should -Be 'Default'
        $contexts['OcspStapling.Types'] | Should -Be 'Default'
        $contexts['OcspStapling.Engine'] | Should -Be 'OcspStapling.Dependencies'
        $contexts['BouncyCastle.Cryptography'] | Should -Be 'OcspStapling.Dependencies'
    }

    It 'imports from the out/OcspStapling folder the README names, in a new session' {
        $output = Invoke-ChildPwsh @"
Import-Module '$(Split-Path -Parent $ModuleBase)'
(Get-OcspResponse -Path '$($Site.Path)').CertStatus.ToString()
"@
        $output | Select-Object -Last 1 | Should -Be 'Good'
    }

    It 'shows the examples of every cmdlet and the about topic in a new session' {
        $output = Invoke-ChildPwsh @"
Import-Module '$Manifest'
foreach (`$name in (Get-Command -Module OcspStapling).Name) { '{0} {1}' -f `$name, @((Get-Help `$name -Examples).examples.example).Count }
'about ' + @(Get-Help about_OcspStapling).Count
"@
        foreach ($name in $Exported) {
            $count = ($output | Where-Object { $_ -like "$name *" }) -replace '^\S+ ', ''
            [int]$count | Should -BeGreaterOrEqual 2 -Because "$name needs examples in Get-Help"
        }
        $output | Should -Contain 'about 1'
    }

    It 'loads by command auto-loading, without Import-Module' {
        $modules = Split-Path -Parent (Split-Path -Parent $ModuleBase)
        $output = Invoke-ChildPwsh -Environment @{ PSModulePath = Get-PSModulePathWith $modules } @"
`$r = Get-OcspResponse -Path '$($Site.Path)'
'{0} {1}' -f `$r.CertStatus, (Get-Module OcspStapling).Version
"@
        $output | Select-Object -Last 1 | Should -Be 'Good 0.1.0'
    }
}

Describe 'Remove-Module' {
    It 'unhooks the resolver, stops the listeners it started (saying so), and a new import works with one handler' {
        # The listener serves a certificate without OCSP: it starts without asking anyone, whatever the load.
        $output = Invoke-ChildPwsh @"
$CountHandlers
Import-Module '$Manifest'
'handlers after import: ' + (Get-OcspStaplingHandlerCount)
`$listener = Start-StaplingListener -Port 0 -CertificatePath '$($Pki.Leaves.plain.Path)' -KeyPath '$($Pki.Leaves.plain.Key)' -NoStore
`$port = `$listener.Port
Remove-Module OcspStapling 3>&1 | ForEach-Object { 'warning: ' + `$_ }
'handlers after remove: ' + (Get-OcspStaplingHandlerCount)
try { [System.Net.Sockets.TcpClient]::new('127.0.0.1', `$port).Dispose(); 'port still open' } catch { 'port closed' }
Import-Module '$Manifest'
Import-Module '$Manifest' -Force
'handlers after two more imports: ' + (Get-OcspStaplingHandlerCount)
'status after import again: ' + (Get-OcspResponse -Path '$($Site.Path)').CertStatus
"@
        $output | Should -Contain 'handlers after import: 1'
        ($output -join "`n") | Should -Match '(?m)^warning: Remove-Module stopped the stapling listener on 127\.0\.0\.1:\d+\.$'
        $output | Should -Contain 'handlers after remove: 0'
        $output | Should -Contain 'port closed'
        $output | Should -Contain 'handlers after two more imports: 1'
        $output | Should -Contain 'status after import again: Good'
    }

    It 'can import again before the engine was ever used' {
        # Nothing had resolved the engine yet, so a missing resolver after the second import would show here.
        $output = Invoke-ChildPwsh @"
Import-Module '$Manifest'
Remove-Module OcspStapling
Import-Module '$Manifest'
(Get-OcspResponse -Path '$($Site.Path)').CertStatus.ToString()
"@
        $output | Select-Object -Last 1 | Should -Be 'Good'
    }
}
