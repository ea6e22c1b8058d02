#Requires -Version 7.4
<#
.SYNOPSIS
    Builds the OcspStapling module into out/OcspStapling/<version>/, tests it, and packs it for a gallery.
.DESCRIPTION
    Tasks, run in the order given (a task runs what it needs first, once):
      Clean    removes out/ and the build output.
      Build    publishes the module folder (module DLL and OcspStapling.Types beside the manifest, the engine and its
               libraries in Dependencies/, the help from en-US/*.md) and checks its layout.
      Docs     writes the help again from en-US/*.md (MAML and about_OcspStapling.help.txt), without rebuilding.
      Test     runs the xunit suite, then the Pester suite (tests/Pester) against the module folder as built; fails when
               any test fails or none ran, and under CI=true when any was skipped.
      Package  after Build, Docs and Test, writes out/module-packages/OcspStapling.<version>.nupkg (Compress-PSResource).
    Everything comes from NuGet (Pester 5.7.1 through build/Pester) or ships with pwsh; nothing asks PSGallery.
    `dotnet publish src/OcspStapling -c Release` alone assembles the same module folder, help included.
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Task Clean, Build, Docs, Test
.EXAMPLE
    dotnet pwsh -NoProfile -Command ./build.ps1 -Task Package
#>
[CmdletBinding()]
param(
    [ValidateSet('Clean', 'Build', 'Docs', 'Test', 'Package')]
    [string[]] $Task = @('Build', 'Docs')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$version = ([xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))).Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1
$moduleDir = Join-Path $root "out/OcspStapling/$version"
$pesterVersion = '5.7.1'   # the suite is Pester 5 syntax; build/Pester/Pester.csproj pins the same version
$done = [System.Collections.Generic.HashSet[string]]::new()

function Assert-ExitCode([string] $What) {
    if ($LASTEXITCODE -ne 0) { throw "$What failed with exit code $LASTEXITCODE." }
}

function Invoke-Once([string] $Step) {
    if ($done.Add($Step)) {
        Write-Host "== $Step"
        & "Invoke-$Step"
    }
}

function Invoke-Clean {
    Remove-Item -Recurse -Force (Join-Path $root 'out') -ErrorAction SilentlyContinue
    dotnet clean (Join-Path $root 'OcspStapling.sln') -c Release --nologo -v quiet; Assert-ExitCode 'dotnet clean'
}

function Invoke-Build {
    Remove-Item -Recurse -Force $moduleDir -ErrorAction SilentlyContinue
    dotnet publish (Join-Path $root 'src/OcspStapling/OcspStapling.csproj') -c Release -o $moduleDir --nologo; Assert-ExitCode 'dotnet publish'
    $manifest = Join-Path $moduleDir 'OcspStapling.psd1'
    $data = Import-PowerShellDataFile $manifest
    if ($data.ModuleVersion -ne $version) { throw "Manifest says $($data.ModuleVersion), Directory.Build.props says $version." }
    # What PowerShell reflects over at import sits beside the manifest; the engine, BouncyCastle and the Redis client
    # load in the module's own context from Dependencies/, never from the module root.
    foreach ($file in @($data.RootModule, 'OcspStapling.Types.dll', 'en-US/OcspStapling.dll-Help.xml', 'en-US/about_OcspStapling.help.txt', 'Dependencies/OcspStapling.Engine.dll', 'Dependencies/BouncyCastle.Cryptography.dll', 'Dependencies/StackExchange.Redis.dll')) {
        if (-not (Test-Path (Join-Path $moduleDir $file))) { throw "Module folder lacks $file." }
    }
    foreach ($file in @('OcspStapling.Engine.dll', 'BouncyCastle.Cryptography.dll', 'StackExchange.Redis.dll')) {
        if (Test-Path (Join-Path $moduleDir $file)) { throw "Module folder holds $file at its root, where the default load context would share it." }
    }
}

function Invoke-Docs {
    Invoke-Once Build
    & (Join-Path $root 'build/Help/Build-ModuleHelp.ps1') -MarkdownPath (Join-Path $root 'en-US') -OutputPath (Join-Path $moduleDir 'en-US') | Out-Null
}

function Import-Pester {
    $manifest = Join-Path $root "out/tools/pester/$pesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $manifest)) {
        dotnet restore (Join-Path $root 'build/Pester/Pester.csproj') --packages (Join-Path $root 'out/tools') --nologo -v quiet
        Assert-ExitCode 'Restoring Pester from NuGet'
    }
    Import-Module $manifest -Force
}

function Invoke-XunitSuite {
    $lines = dotnet test (Join-Path $root 'OcspStapling.sln') -c Release --nologo 2>&1 | ForEach-Object { Write-Host $_; "$_" }
    $failed = $LASTEXITCODE -ne 0
    $summary = @($lines | Select-String -Pattern '^\s*(Passed|Failed)!\s+-\s+Failed:\s*(\d+),\s*Passed:\s*(\d+),\s*Skipped:\s*(\d+)')
    $counts = [pscustomobject]@{ Passed = 0; Failed = 0; Skipped = 0; Broken = $failed }
    foreach ($match in $summary.Matches) {
        $counts.Failed += [int]$match.Groups[2].Value
        $counts.Passed += [int]$match.Groups[3].Value
        $counts.Skipped += [int]$match.Groups[4].Value
    }
    $counts
}

function Invoke-PesterSuite {
    Import-Pester
    $env:OCSPSTAPLING_MODULE = Join-Path $moduleDir 'OcspStapling.psd1'
    $config = New-PesterConfiguration
    $config.Run.Path = Join-Path $root 'tests/Pester'
    $config.Run.Exit = $false
    $config.Run.PassThru = $true
    $config.Output.Verbosity = 'Normal'
    $result = Invoke-Pester -Configuration $config
    # A container whose BeforeAll failed counts its tests as failed; one that could not even be discovered does not.
    [pscustomobject]@{
        Passed = $result.PassedCount; Failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
        Skipped = $result.SkippedCount + $result.NotRunCount; Broken = $result.Result -ne 'Passed'
    }
}

# What the tests could write into the profile of whoever runs them, were a test to forget its own store or state.
function Get-ProfileStapleFiles {
    $profilePlaces = @('.local/share/OcspStapling', '.local/state/ocspstaple') | ForEach-Object { Join-Path $HOME $_ }
    @($profilePlaces | Where-Object { Test-Path $_ } | ForEach-Object { Get-ChildItem -Recurse -File $_ } | ForEach-Object FullName)
}

function Invoke-Test {
    Invoke-Once Docs
    # Both suites see an empty data and state home and default store of their own; the profile's must stay as it was.
    $before = Get-ProfileStapleFiles
    $isolated = Join-Path ([System.IO.Path]::GetTempPath()) "ocspstapling-tests-$PID"
    $env:XDG_DATA_HOME = Join-Path $isolated 'data'
    $env:XDG_STATE_HOME = Join-Path $isolated 'state'
    $env:OCSPSTAPLE_STORE = Join-Path $isolated 'store'
    $xunit = Invoke-XunitSuite
    $pester = Invoke-PesterSuite
    Remove-Item -Recurse -Force $isolated -ErrorAction SilentlyContinue
    $written = @(Get-ProfileStapleFiles | Where-Object { $_ -notin $before })
    if ($written) { throw "Tests wrote into $HOME, which they must leave alone: $($written -join ', ')" }
    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    $skipped = $xunit.Skipped + $pester.Skipped
    Write-Host "tests: $passed passed (xunit $($xunit.Passed), Pester $($pester.Passed)), $failed failed, $skipped skipped"
    if ($xunit.Broken -or $failed -gt 0) { throw 'Tests FAILED.' }
    if ($xunit.Passed -eq 0 -or $pester.Passed -eq 0) { throw 'No test ran in one of the suites (xunit or Pester).' }
    if ($env:CI -eq 'true' -and $pester.Skipped -gt 0) { throw "$($pester.Skipped) Pester tests were skipped; on CI every peer must be installed." }
}

function Invoke-Package {
    Invoke-Once Test
    $packages = Join-Path $root 'out/module-packages'   # apart from out/packages, where the ocspstaple .NET tool goes
    New-Item -ItemType Directory -Force $packages | Out-Null
    Compress-PSResource -Path $moduleDir -DestinationPath $packages
    Write-Host "Wrote $(Join-Path $packages "OcspStapling.$version.nupkg"): register that folder with Register-PSResourceRepository, then Install-PSResource OcspStapling."
}

foreach ($step in $Task) {
    Invoke-Once $step
}
