# What the Pester suite needs beside the module: the module folder as built, free loopback ports, a throwaway PKI made
# by OpenSSL, and OpenSSL's own OCSP responder as a process. Nothing here reaches into the module's types.
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$RepoRoot = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)

function Get-TestModuleManifest {
    <# The manifest of the module as built: $env:OCSPSTAPLING_MODULE if set, else out/OcspStapling/<version>/. #>
    if ($env:OCSPSTAPLING_MODULE) { return $env:OCSPSTAPLING_MODULE }
    $props = [xml](Get-Content -Raw (Join-Path $RepoRoot 'Directory.Build.props'))
    $version = $props.Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1
    $manifest = Join-Path $RepoRoot "out/OcspStapling/$version/OcspStapling.psd1"
    if (-not (Test-Path $manifest)) { throw "No module at ${manifest}: run ./build.ps1 -Task Build first." }
    $manifest
}

function Get-RepoRoot { $RepoRoot }

function Get-FreeTcpPort {
    $socket = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $socket.Start()
    try { $socket.LocalEndpoint.Port } finally { $socket.Stop() }
}

function Assert-Peer([string] $Name) {
    <# A peer missing on a developer's machine skips the caller's tests with a reason; under CI=true it fails them. #>
    if (Get-Command $Name -CommandType Application -ErrorAction SilentlyContinue) { return $true }
    if ($env:CI -eq 'true') { throw "$Name is not installed; CI must install it (.ci/run does)." }
    $false
}

function Invoke-OpenSsl {
    $output = & openssl @args 2>&1
    if ($LASTEXITCODE -ne 0) { throw "openssl $($args -join ' ') failed: $output" }
}

function Get-EcKeyArguments { @('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes') }

function New-TestCertificate([string] $Directory, [string] $CA, [string] $CAKey, [string] $Name, [int] $Serial, [string] $Extensions) {
    $key = Join-Path $Directory "$Name.key"
    $csr = Join-Path $Directory "$Name.csr"
    $cert = Join-Path $Directory "$Name.cert.pem"
    $ext = Join-Path $Directory "$Name.ext"
    Set-Content -Path $ext -Value $Extensions
    $ec = Get-EcKeyArguments
    Invoke-OpenSsl req -new @ec -keyout $key -out $csr -subj "/CN=$Name.pester.test"
    Invoke-OpenSsl x509 -req -in $csr -CA $CA -CAkey $CAKey -set_serial $Serial -days 10 -out $cert -extfile $ext
    [pscustomobject]@{ Cert = $cert; Key = $key; Serial = '{0:X4}' -f $Serial }
}

function New-TestPki {
    <#
    .SYNOPSIS
        A root CA, an issuing CA, a delegated OCSP signer and leaf certificates, made by OpenSSL in $Directory. Each leaf
        is written as a full chain (leaf then issuing CA) in <name>.pem with its key in <name>.key; leaves get
        $ResponderUrl as their OCSP URL unless named in -WithoutOcsp. Clients trust .Root; the responder answers for .CA.
    #>
    param(
        [Parameter(Mandatory)] [string] $Directory,
        [Parameter(Mandatory)] [string] $ResponderUrl,
        [string[]] $Good = @('site'),
        [string[]] $Revoked = @(),
        [string[]] $WithoutOcsp = @()
    )
    New-Item -ItemType Directory -Force $Directory | Out-Null
    $ec = Get-EcKeyArguments
    $root = Join-Path $Directory 'root.pem'
    $rootKey = Join-Path $Directory 'root.key'
    Invoke-OpenSsl req -x509 @ec -keyout $rootKey -out $root -subj '/CN=Pester Test Root CA' -days 30 `
        -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign'
    # An issuing CA below the root, as at real CAs: servers send it with the leaf, never the root.
    $issuing = New-TestCertificate $Directory $root $rootKey 'issuing-ca' 0x100 "basicConstraints=critical,CA:TRUE`nkeyUsage=critical,keyCertSign,cRLSign"
    $ca = Join-Path $Directory 'issuing-ca.pem'
    Move-Item $issuing.Cert $ca
    $caKey = $issuing.Key
    $index = [System.Collections.Generic.List[string]]::new()
    $serial = 0x1000
    $signer = New-TestCertificate $Directory $ca $caKey 'ocsp-signer' (++$serial) "basicConstraints=CA:FALSE`nkeyUsage=critical,digitalSignature`nextendedKeyUsage=OCSPSigning"
    $expiry = [DateTime]::UtcNow.AddDays(10).ToString('yyMMddHHmmss') + 'Z'
    $leaves = [ordered]@{}
    foreach ($name in @($Good) + @($Revoked) + @($WithoutOcsp)) {
        $aia = if ($name -in $WithoutOcsp) { '' } else { "`nauthorityInfoAccess=OCSP;URI:$ResponderUrl" }
        $leaf = New-TestCertificate $Directory $ca $caKey $name (++$serial) "basicConstraints=CA:FALSE`nkeyUsage=critical,digitalSignature`nextendedKeyUsage=serverAuth`nsubjectAltName=DNS:$name.pester.test$aia"
        $chain = Join-Path $Directory "$name.pem"
        Set-Content -Path $chain -Value ((Get-Content -Raw $leaf.Cert) + (Get-Content -Raw $ca)) -NoNewline
        $leaves[$name] = [pscustomobject]@{ Name = $name; Path = $chain; Key = $leaf.Key; ServerName = "$name.pester.test" }
        if ($name -in $Revoked) {
            $revokedAt = [DateTime]::UtcNow.AddDays(-1).ToString('yyMMddHHmmss') + 'Z'
            $index.Add("R`t$expiry`t$revokedAt,keyCompromise`t$($leaf.Serial)`tunknown`t/CN=$name.pester.test")
        }
        else {
            $index.Add("V`t$expiry`t`t$($leaf.Serial)`tunknown`t/CN=$name.pester.test")
        }
    }
    $indexFile = Join-Path $Directory 'index.txt'
    Set-Content -Path $indexFile -Value $index
    Set-Content -Path "$indexFile.attr" -Value 'unique_subject = no'
    [pscustomobject]@{
        Directory = $Directory; Root = $root; CA = $ca; Index = $indexFile; SignerCert = $signer.Cert; SignerKey = $signer.Key
        ResponderUrl = $ResponderUrl; Leaves = $leaves
    }
}

function Start-OpenSslResponder {
    <# `openssl ocsp` answering for $Pki on $Port (127.0.0.1 is what tests ask), started and waited for. #>
    param([Parameter(Mandatory)] $Pki, [Parameter(Mandatory)] [int] $Port)
    $log = Join-Path $Pki.Directory "responder-$Port.log"
    $arguments = @('ocsp', '-index', $Pki.Index, '-port', $Port, '-rsigner', $Pki.SignerCert, '-rkey', $Pki.SignerKey,
        '-CA', $Pki.CA, '-ndays', '1', '-ignore_err', '-timeout', '5')
    $process = Start-Process openssl -ArgumentList $arguments -RedirectStandardError $log -RedirectStandardOutput "$log.out" -PassThru
    # A probe connection that sends nothing would stall this single-threaded responder, so wait for its own word.
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while (-not ((Get-Content -Raw $log -ErrorAction SilentlyContinue) -match 'waiting for OCSP client connections')) {
        if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
            throw "openssl ocsp did not start on port ${Port}: $(Get-Content -Raw $log -ErrorAction SilentlyContinue)"
        }
        Start-Sleep -Milliseconds 20
    }
    $process
}

function Stop-TestProcess($Process) {
    if ($Process -and -not $Process.HasExited) {
        $Process.Kill($true)
        $Process.WaitForExit(5000) | Out-Null
    }
}

function Set-EnvironmentVariable([string] $Name, $Value) {
    # $null means unset: passed to a .NET string it would become '', and an empty XDG_DATA_HOME means the current directory.
    if ($null -eq $Value) { Remove-Item "Env:$Name" -ErrorAction SilentlyContinue } else { Set-Item "Env:$Name" $Value }
}

function Invoke-FreshPwsh {
    <#
    .SYNOPSIS
        Runs $Script in a new pwsh and returns its exit code and output lines, as text without the colours a host adds
        where NO_COLOR is not set. $Environment names variables to set for it ($null unsets one), restored afterwards;
        $WorkingDirectory is where it starts. $Options are pwsh's own (what a documented command line gives).
    #>
    param(
        [Parameter(Mandatory)] [string] $Script,
        [hashtable] $Environment = @{},
        [string] $WorkingDirectory,
        [string[]] $Options = @('-NoProfile', '-NonInteractive')
    )
    # The running pwsh, whether installed or run as a .NET tool (`dotnet pwsh`: the process itself is dotnet).
    $pwsh = Join-Path $PSHOME ($IsWindows ? 'pwsh.exe' : 'pwsh')
    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        Set-EnvironmentVariable $name $Environment[$name]
    }
    if ($WorkingDirectory) { Push-Location $WorkingDirectory }
    try {
        $lines = & $pwsh @Options -Command $Script 2>&1 | ForEach-Object { "$_" -replace "`e\[[0-9;]*m", '' }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Lines = @($lines) }
    }
    finally {
        if ($WorkingDirectory) { Pop-Location }
        foreach ($name in $saved.Keys) { Set-EnvironmentVariable $name $saved[$name] }
    }
}

function Invoke-ChildPwsh {
    <#
    .SYNOPSIS
        Runs $Script in a fresh pwsh (no profile) and returns its output lines; what a new session sees, untouched by
        the suite's own imports. Throws with the child's output when it fails.
    #>
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{})
    $run = Invoke-FreshPwsh -Script $Script -Environment $Environment
    if ($run.ExitCode -ne 0) { throw "pwsh exited $($run.ExitCode)`n$($run.Lines -join "`n")" }
    $run.Lines
}

function Get-PSModulePathWith([string] $Directory) {
    <# PSModulePath with $Directory first: where a new session finds the module as an installed one. #>
    $Directory + [System.IO.Path]::PathSeparator + $env:PSModulePath
}

Export-ModuleMember -Function Get-TestModuleManifest, Get-RepoRoot, Get-FreeTcpPort, Assert-Peer, New-TestPki,
    Start-OpenSslResponder, Stop-TestProcess, Invoke-FreshPwsh, Invoke-ChildPwsh, Get-PSModulePathWith
