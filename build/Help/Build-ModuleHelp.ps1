#Requires -Version 7.4
<#
.SYNOPSIS
    Turns the platyPS-style markdown in en-US/ into the help files Get-Help reads, without platyPS.
.DESCRIPTION
    Reads every <Verb>-<Noun>.md (platyPS schema 2.0.0) and writes the MAML file named by their front matter
    ("external help file", OcspStapling.dll-Help.xml) in the shape platyPS 0.14's New-ExternalHelp writes it.
    Reads every about_*.md and writes about_*.help.txt, the plain text Get-Help about_* shows.
    The markdown stays the single source. A malformed file stops the build with an error naming the file and
    section; nothing is written until every file has parsed.
.EXAMPLE
    & build/Help/Build-ModuleHelp.ps1 -MarkdownPath en-US -OutputPath out/OcspStapling/0.1.0/en-US
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $MarkdownPath,
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$script:Ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}
# The sections of a cmdlet page, in platyPS's order. NOTES may be left out; any other heading is a typo.
$script:CommandSections = 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS'
$script:RequiredYamlKeys = 'Type', 'Parameter Sets', 'Required', 'Position', 'Accept pipeline input', 'Accept wildcard characters'

function Stop-Malformed([string] $File, [string] $Section, [string] $Message) {
    throw "Malformed help markdown: $File, section '$Section': $Message"
}

. (Join-Path $PSScriptRoot 'ReadCommandMarkdown.ps1')
. (Join-Path $PSScriptRoot 'WriteMaml.ps1')
. (Join-Path $PSScriptRoot 'ConvertAboutTopic.ps1')

$source = Resolve-Path -LiteralPath $MarkdownPath
$commandFiles = @(Get-ChildItem -LiteralPath $source -Filter '*-*.md' -File | Sort-Object Name)
$aboutFiles = @(Get-ChildItem -LiteralPath $source -Filter 'about_*.md' -File | Sort-Object Name)
if ($commandFiles.Count -eq 0) { throw "No cmdlet help (<Verb>-<Noun>.md) in $source." }

# Parse everything first, so a malformed file leaves no partial help behind.
$commands = @($commandFiles | ForEach-Object { Read-CommandMarkdown $_ })
$abouts = @($aboutFiles | ForEach-Object { [pscustomobject]@{ Name = "$($_.BaseName).help.txt"; Text = (ConvertTo-AboutText $_) } })

New-Item -ItemType Directory -Force -Path $OutputPath | Out-Null
$target = Resolve-Path -LiteralPath $OutputPath
foreach ($group in $commands | Group-Object HelpFile) {
    $path = Join-Path $target $group.Name
    Write-MamlFile $path $group.Group
    Get-Item -LiteralPath $path
}
foreach ($about in $abouts) {
    $path = Join-Path $target $about.Name
    [IO.File]::WriteAllText($path, $about.Text, [Text.UTF8Encoding]::new($false))
    Get-Item -LiteralPath $path
}
