#Requires -Version 7.4
<#
.SYNOPSIS
    Builds the OcspStapling module into out/OcspStapling/<version>/.
.DESCRIPTION
    Tasks: Clean, Build (Release build and module folder), Docs (MAML help from en-US/ with platyPS),
    Test (xunit, then Pester against the built module), Package (a .nupkg for a gallery).
    Without pwsh, `dotnet publish src/OcspStapling -c Release` assembles the same module folder.
.EXAMPLE
    ./build.ps1
.EXAMPLE
    ./build.ps1 -Task Clean, Build, Test
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
$pinned = @{ platyPS = '0.14.2'; Pester = '5.6.1' }

function Assert-ExitCode([string] $What) {
    if ($LASTEXITCODE -ne 0) { throw "$What failed with exit code $LASTEXITCODE." }
}

function Install-Pinned([string] $Name) {
    if (-not (Get-Module -ListAvailable -Name $Name | Where-Object Version -EQ $pinned[$Name])) {
        Install-Module -Name $Name -RequiredVersion $pinned[$Name] -Scope CurrentUser -Force -SkipPublisherCheck
    }
    Import-Module -Name $Name -RequiredVersion $pinned[$Name] -Force
}

function Invoke-Clean {
    Remove-Item -Recurse -Force (Join-Path $root 'out') -ErrorAction SilentlyContinue
    dotnet clean (Join-Path $root 'OcspStapling.sln') -c Release --nologo -v quiet; Assert-ExitCode 'dotnet clean'
}

function Invoke-Build {
    dotnet publish (Join-Path $root 'src/OcspStapling/OcspStapling.csproj') -c Release -o $moduleDir --nologo; Assert-ExitCode 'dotnet publish'
    $manifest = Join-Path $moduleDir 'OcspStapling.psd1'
    $data = Import-PowerShellDataFile $manifest
    if ($data.ModuleVersion -ne $version) { throw "Manifest says $($data.ModuleVersion), Directory.Build.props says $version." }
    # The engine, BouncyCastle and the Redis client load in the module's own context from Dependencies/, never from the module root.
    foreach ($file in @($data.RootModule, 'Dependencies/OcspStapling.Engine.dll', 'Dependencies/BouncyCastle.Crypto.dll', 'Dependencies/StackExchange.Redis.dll')) {
        if (-not (Test-Path (Join-Path $moduleDir $file))) { throw "Module folder lacks $file." }
    }
    foreach ($file in @('OcspStapling.Engine.dll', 'BouncyCastle.Crypto.dll', 'StackExchange.Redis.dll')) {
        if (Test-Path (Join-Path $moduleDir $file)) { throw "Module folder holds $file at its root, where the default load context would share it." }
    }
}

function Invoke-Docs {
    Install-Pinned platyPS
    $docs = Join-Path $root 'en-US'
    if (-not (Get-ChildItem $docs -Filter '*-*.md' -ErrorAction SilentlyContinue)) { throw "No cmdlet help in $docs." }
    New-ExternalHelp -Path $docs -OutputPath (Join-Path $moduleDir 'en-US') -Force | Out-Null
    if (-not (Test-Path (Join-Path $moduleDir 'en-US/OcspStapling.dll-Help.xml'))) { throw 'MAML help was not generated.' }
}

function Invoke-Test {
    dotnet test (Join-Path $root 'OcspStapling.sln') -c Release --nologo; Assert-ExitCode 'dotnet test'
    $pesterFiles = Get-ChildItem (Join-Path $root 'tests') -Filter '*.Tests.ps1' -Recurse
    if ($pesterFiles) {
        Install-Pinned Pester
        $config = New-PesterConfiguration
        $config.Run.Path = $pesterFiles.FullName
        $config.Run.Exit = $false
        $config.Run.PassThru = $true
        $result = Invoke-Pester -Configuration $config
        if ($result.FailedCount -gt 0) { throw "$($result.FailedCount) Pester tests failed." }
    }
}

function Invoke-Package {
    $repo = Join-Path $root 'out/repo'
    New-Item -ItemType Directory -Force $repo | Out-Null
    Register-PSResourceRepository -Name OcspStaplingLocal -Uri $repo -Trusted -ErrorAction SilentlyContinue
    Publish-PSResource -Path $moduleDir -Repository OcspStaplingLocal
}

foreach ($step in $Task) {
    Write-Host "== $step"
    & "Invoke-$step"
}
