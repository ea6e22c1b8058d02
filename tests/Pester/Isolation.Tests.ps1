# Another module that ships another release of the same BouncyCastle assembly (BouncyCastle.Cryptography 2.4.0), imported before ours and after it,
# in fresh sessions: each keeps its own copy and both work (the made-up module: tests/OtherBouncyCastleModule).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestPeers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest
    $script:Work = Join-Path $TestDrive 'isolation'
    $other = Join-Path $Work 'OtherBouncyCastleModule'
    $project = Join-Path (Get-RepoRoot) 'tests/OtherBouncyCastleModule/OtherBouncyCastleModule.csproj'
    $publish = & dotnet publish $project -c Release -o $other --nologo -v quiet 2>&1
    if ($LASTEXITCODE -ne 0) { throw "dotnet publish of the other module failed: $publish" }
    $script:OtherManifest = Join-Path $other 'OtherBouncyCastleModule.psd1'

    $port = Get-FreeTcpPort
    $script:Pki = New-TestPki -Directory (Join-Path $Work 'pki') -ResponderUrl "http://127.0.0.1:$port/"
    $script:Responder = Start-OpenSslResponder -Pki $Pki -Port $port

    # Imports the two modules in the given order, each used at once (so the first has loaded its BouncyCastle before
    # the second arrives), then reports what each one ran on.
    $script:Session = {
        param([string[]] $Order)
        $use = @{
            $OtherManifest = "Import-Module '$OtherManifest'; `$other = Get-OtherBouncyCastle"
            $Manifest      = "Import-Module '$Manifest'; `$ours = Get-OcspResponse -Path '$($Pki.Leaves.site.Path)'"
        }
        $script = @"
$(($Order | ForEach-Object { $use[$_] }) -join "`n")
`$loaded = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -like 'BouncyCastle*' } |
    ForEach-Object { '{0} {1} in {2}' -f `$_.GetName().Name, (`$_.GetCustomAttributes([System.Reflection.AssemblyInformationalVersionAttribute], `$false)[0].InformationalVersion -split '\+')[0], [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name }
[pscustomobject]@{ Other = `$other; OursStatus = "`$(`$ours.CertStatus)"; OursVerified = `$ours.Verified; Loaded = @(`$loaded) } | ConvertTo-Json -Depth 3 -Compress
"@
        Invoke-ChildPwsh $script | Select-Object -Last 1 | ConvertFrom-Json
    }
}

AfterAll {
    Stop-TestProcess $Responder
}

Describe 'Another module shipping its own BouncyCastle' {
    It 'keeps its own copy and works when imported <Name>' -ForEach @(
        @{ Name = 'before ours'; OtherFirst = $true }
        @{ Name = 'after ours'; OtherFirst = $false }
    ) {
        $order = if ($OtherFirst) { $OtherManifest, $Manifest } else { $Manifest, $OtherManifest }
        $seen = & $Session $order

        # Theirs: the version they ship, in the default context, and it computes.
        $seen.Other.Version | Should -Be '2.4.0'
        $seen.Other.LoadContext | Should -Be 'Default'
        $seen.Other.Sha256OfAbc | Should -Be 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
        # Ours: a good, verified answer from OpenSSL's responder, on our copy in our own context.
        $seen.OursStatus | Should -Be 'Good'
        $seen.OursVerified | Should -BeTrue
        # Both releases carry assembly version 2.0.0.0, so one shared copy would pass any version check: each is its own.
        $seen.Loaded | Should -Contain 'BouncyCastle.Cryptography 2.4.0 in Default'
        $seen.Loaded | Should -Contain 'BouncyCastle.Cryptography 2.7.0 in OcspStapling.Dependencies'
    }
}
