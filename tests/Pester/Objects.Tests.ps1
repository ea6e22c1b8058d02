# The objects the cmdlets write, as a PowerShell user meets them: type names users can name, tables that fit 80
# columns, lists from default display sets, JSON that stays small and readable, objects back from Start-Job that
# still render, -PassThru as Get-Item gives it, tab completion of listener ports, and progress that names the site.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestPeers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest
    Import-Module $Manifest -Force
    $script:Work = Join-Path $TestDrive 'objects'
    $port = Get-FreeTcpPort
    $script:Pki = New-TestPki -Directory (Join-Path $Work 'pki') -ResponderUrl "http://127.0.0.1:$port/"
    $script:Responder = Start-OpenSslResponder -Pki $Pki -Port $port
    $script:Site = $Pki.Leaves.site
    $script:Listener = Start-StaplingListener -Port 0 -CertificatePath $Site.Path -KeyPath $Site.Key -NoStore
    $script:Response = Get-OcspResponse -Path $Site.Path
    $script:Written = @{
        'Get-OcspResponse'                    = $Response
        'Test-OcspStaple'                     = $Response | Test-OcspStaple
        'Test-OcspStaple -ComputerName'       = Test-OcspStaple -ComputerName 127.0.0.1 -Port $Listener.Port -ServerName $Site.ServerName
        'Update-OcspStaple'                   = Update-OcspStaple -Path $Site.Path -StorePath (Join-Path $Work 'store')
        'Get-OcspStaple'                      = Get-OcspStaple -Path $Site.Path -StorePath (Join-Path $Work 'store')
        'Start-StaplingListener'              = $Listener
        'Start-StaplingListener (its .Sites)' = $Listener.Sites[0]
    }
}

AfterAll {
    Get-StaplingListener | Stop-StaplingListener
    Stop-TestProcess $Responder
}

Describe 'What <_> writes' -ForEach @(
    'Get-OcspResponse', 'Test-OcspStaple', 'Test-OcspStaple -ComputerName', 'Update-OcspStaple', 'Get-OcspStaple',
    'Start-StaplingListener', 'Start-StaplingListener (its .Sites)'
) {
    BeforeAll {
        $script:Object = $Written[$_]
    }

    It 'is a type users can name, in the OcspStapling namespace' {
        $type = $Object.GetType()
        $type.Namespace | Should -Be 'OcspStapling'
        ($type.FullName -as [type]) | Should -Be $type
    }

    It 'shows as a table at most 80 columns wide' {
        $lines = @($Object | Format-Table | Out-String -Width 250 -Stream | Where-Object { $_.Trim() })
        $lines.Count | Should -Be 3   # header, rule, one row
        ($lines | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
        $lines[2] | Should -Match 'site'
    }

    It 'shows its default display set as a list, not every property' {
        $shown = @($Object | Format-List | Out-String -Stream | Where-Object { $_ -match '^\S.*\s:\s?' })
        $all = @($Object.PSObject.Properties).Count
        $shown.Count | Should -BeGreaterThan 3
        $shown.Count | Should -BeLessThan $all
    }

    It 'converts to JSON at depth 2 in under 100 lines, with names for states and no byte arrays' {
        $json = $Object | ConvertTo-Json -Depth 2 -WarningAction SilentlyContinue
        ($json -split "`n").Count | Should -BeLessThan 100
        $parsed = $json | ConvertFrom-Json
        foreach ($property in 'CertStatus', 'State', 'StapleStatus') {
            if ($parsed.PSObject.Properties[$property] -and $null -ne $parsed.$property) {
                $parsed.$property | Should -BeOfType [string]
            }
        }
        $json | Should -Not -Match '"RawData"'
    }
}

Describe 'The listener table' {
    It 'shows a good staple as Good' {
        $row = @($Listener | Format-Table | Out-String -Stream | Where-Object { $_.Trim() })[2]
        $row | Should -Match "127\.0\.0\.1:$($Listener.Port)\s+CN=site\.pester\.test\s+Good\s"
    }
}

Describe 'Objects back from Start-Job' {
    It 'render in the same views, dates and all' {
        $job = Start-Job -ScriptBlock {
            param($Manifest, $Path)
            Import-Module $Manifest
            Get-OcspResponse -Path $Path
        } -ArgumentList $Manifest, $Site.Path
        $back = $job | Receive-Job -Wait -AutoRemoveJob
        $back.PSObject.TypeNames[0] | Should -Be 'Deserialized.OcspStapling.OcspResponseInfo'
        $row = @($back | Format-Table | Out-String -Stream | Where-Object { $_.Trim() })[2]
        $row | Should -Match 'CN=site\.pester\.test\s+Good\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}\s+\d+h \d+m\s+True'
    }
}

Describe 'Export-OcspStapleFile -PassThru' {
    It 'writes what Get-Item would write for the file' {
        $staple = Join-Path $Work 'passthru.der'
        $written = $Response | Export-OcspStapleFile -Path $staple -PassThru
        $item = Get-Item $staple
        $written.PSPath | Should -Be $item.PSPath
        $written.Mode | Should -Be $item.Mode
        $written.Length | Should -Be $Response.Length
    }
}

Describe 'The raw bytes and the certificate' {
    It 'are a method call away' {
        $Response.GetEncoded().Length | Should -Be $Response.Length
        $Response.GetCertificate().Subject | Should -Be $Response.Subject
    }
}

Describe 'Tab completion of -Port' {
    It 'offers the ports of this session''s listeners for <_>' -ForEach 'Get-StaplingListener -Port ', 'Stop-StaplingListener -Port ' {
        $completion = TabExpansion2 -inputScript $_ -cursorColumn $_.Length
        $completion.CompletionMatches.CompletionText | Should -Contain "$($Listener.Port)"
    }
}

Describe 'Progress of Update-OcspStaple' {
    It 'names the site it is on, and completes' {
        $shell = [powershell]::Create()
        $null = $shell.AddScript("Import-Module '$Manifest'; Update-OcspStaple -Path '$($Site.Path)', '$($Pki.Leaves.site.Path)' -StorePath '$(Join-Path $Work 'progress-store')'")
        $null = $shell.Invoke()
        $records = @($shell.Streams.Progress)
        $shell.Dispose()
        $records.CurrentOperation | Should -Contain $Site.Path
        $records[-1].RecordType | Should -Be 'Completed'
    }
}
