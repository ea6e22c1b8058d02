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

#region Markdown reading

# Splits lines at headings of one level ('## ' or '### '), skipping code fences, where '#' starts a comment.
# Returns the text before the first heading as Title '' and then one entry per heading, in order.
function Split-Heading([string[]] $Lines, [int] $Level, [string] $File) {
    $marker = ('#' * $Level) + ' '
    $current = [pscustomobject]@{ Title = ''; Lines = [Collections.Generic.List[string]]::new() }
    $result = [Collections.Generic.List[object]]::new()
    $result.Add($current)
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith($marker)) {
            $current = [pscustomobject]@{ Title = $line.Substring($marker.Length).Trim(); Lines = [Collections.Generic.List[string]]::new() }
            $result.Add($current)
        }
        else { $current.Lines.Add($line) }
    }
    # An unclosed fence would swallow every later heading; name where it opened rather than a 'missing' section.
    if ($inFence) { Stop-Malformed $File $current.Title 'a ``` code fence is never closed.' }
    , $result
}

# Paragraphs are separated by blank lines; line breaks inside one are kept, since they may be lists or tables.
function ConvertTo-Paragraph([string[]] $Lines) {
    $text = ($Lines -join "`n").Trim()
    if (-not $text) { return , @() }
    , @($text -split '\n\s*\n' | ForEach-Object { $_.Trim() } | Where-Object { $_ })
}

# Splits a block into prose and the contents of its ``` fences. Returns @{ Prose; Code (one string per fence) }.
function Split-Fence([string[]] $Lines, [string] $File, [string] $Section) {
    $prose = [Collections.Generic.List[string]]::new()
    $code = [Collections.Generic.List[string]]::new()
    $fence = $null
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') {
            if ($null -eq $fence) { $fence = [Collections.Generic.List[string]]::new() }
            else { $code.Add(($fence -join "`n").TrimEnd()); $fence = $null }
        }
        elseif ($null -ne $fence) { $fence.Add($line) }
        else { $prose.Add($line) }
    }
    if ($null -ne $fence) { Stop-Malformed $File $Section 'a ``` code fence is never closed.' }
    @{ Prose = [string[]]$prose; Code = [string[]]$code }
}

function Read-FrontMatter([string[]] $Lines, [string] $File) {
    if ($Lines.Count -lt 2 -or $Lines[0] -ne '---') { Stop-Malformed $File 'front matter' 'the file must start with a --- front matter block.' }
    $end = [Array]::IndexOf($Lines, '---', 1)
    if ($end -lt 0) { Stop-Malformed $File 'front matter' 'the front matter has no closing ---.' }
    $meta = @{}
    foreach ($line in $Lines[1..($end - 1)]) {
        if ($line -match '^([^:]+):\s*(.*)$') { $meta[$Matches[1].Trim()] = $Matches[2].Trim() }
        elseif ($line.Trim()) { Stop-Malformed $File 'front matter' "cannot read '$line'." }
    }
    if ($meta['schema'] -ne '2.0.0') { Stop-Malformed $File 'front matter' "schema is '$($meta['schema'])'; only platyPS schema 2.0.0 is understood." }
    if (-not $meta['external help file']) { Stop-Malformed $File 'front matter' "'external help file' is missing." }
    @{ Meta = $meta; Body = [string[]]($Lines | Select-Object -Skip ($end + 1)) }
}

# One ```yaml block of a parameter: 'Key: value' lines.
function Read-ParameterYaml([string] $Yaml, [string] $File, [string] $Section) {
    $values = @{}
    foreach ($line in $Yaml -split '\n') {
        if (-not $line.Trim()) { continue }
        if ($line -notmatch '^([A-Za-z][A-Za-z ]*):(.*)$') { Stop-Malformed $File $Section "cannot read yaml line '$line'." }
        $values[$Matches[1].Trim()] = $Matches[2].Trim()
    }
    foreach ($key in $script:RequiredYamlKeys) {
        if (-not $values[$key]) { Stop-Malformed $File $Section "the yaml block lacks '$key'." }
    }
    foreach ($key in 'Required', 'Accept wildcard characters') {
        if ($values[$key] -notin 'True', 'False') { Stop-Malformed $File $Section "'$key' must be True or False, not '$($values[$key])'." }
    }
    if ($values['Position'] -notmatch '^(Named|\d+)$') { Stop-Malformed $File $Section "'Position' must be Named or a number, not '$($values['Position'])'." }
    $aliases = @(if ($values['Aliases']) { $values['Aliases'] -split '\s*,\s*' | Where-Object { $_ } })
    $accepted = @(if ($values['Accepted values']) { $values['Accepted values'] -split '\s*,\s*' | Where-Object { $_ } })
    [pscustomobject]@{
        Type           = $values['Type']
        Sets           = @($values['Parameter Sets'] -split '\s*,\s*')
        Aliases        = $aliases
        AcceptedValues = $accepted
        Required       = $values['Required'] -eq 'True'
        Position       = $values['Position']
        DefaultValue   = if ($values['Default value']) { $values['Default value'] } else { 'None' }
        PipelineInput  = $values['Accept pipeline input']
        Globbing       = $values['Accept wildcard characters'] -eq 'True'
    }
}

function Read-Parameters([object[]] $Blocks, [string] $File) {
    foreach ($block in $Blocks) {
        if (-not $block.Title) {
            if (($block.Lines -join '').Trim()) { Stop-Malformed $File 'PARAMETERS' 'text before the first ### -Name heading.' }
            continue
        }
        if ($block.Title -eq 'CommonParameters') { continue }
        $section = "PARAMETERS $($block.Title)"
        if ($block.Title -notmatch '^-(\w+)$') { Stop-Malformed $File $section "a parameter heading must be '### -Name'." }
        $name = $Matches[1]
        $parts = Split-Fence $block.Lines $File $section
        if ($parts.Code.Count -eq 0) { Stop-Malformed $File $section 'no ```yaml block.' }
        # platyPS writes one yaml block per group of parameter sets that differ (say, Required in one set only).
        $yaml = @($parts.Code | ForEach-Object { Read-ParameterYaml $_ $File $section })
        $description = ConvertTo-Paragraph $parts.Prose
        if ($description.Count -eq 0) { Stop-Malformed $File $section 'the parameter has no description.' }
        [pscustomobject]@{ Name = $name; Description = $description; Yaml = $yaml }
    }
}

# '### Name' or '### Name (Default)' and a ``` fence holding the syntax line.
function Read-Syntax([object[]] $Blocks, [string] $File, [string] $CommandName) {
    foreach ($block in $Blocks) {
        if (-not $block.Title) { continue }
        $section = "SYNTAX $($block.Title)"
        $parts = Split-Fence $block.Lines $File $section
        if ($parts.Code.Count -ne 1) { Stop-Malformed $File $section 'expected one ``` block with the syntax line.' }
        $line = ($parts.Code[0] -split '\s*\n\s*' | Where-Object { $_ }) -join ' '
        if (-not $line.StartsWith("$CommandName ")) { Stop-Malformed $File $section "the syntax line must start with '$CommandName'." }
        # Parameters in the order the line gives them: '-Name', '[-Name]', '[[-Name]'.
        $names = @([regex]::Matches($line, '(?<=[\s\[])-(\w+)') | ForEach-Object { $_.Groups[1].Value })
        [pscustomobject]@{
            Name      = $block.Title -replace '\s*\(Default\)$', ''
            IsDefault = $block.Title -match '\(Default\)$'
            Names     = $names
        }
    }
}

function Read-Examples([object[]] $Blocks, [string] $File) {
    foreach ($block in $Blocks) {
        if (-not $block.Title) { continue }
        $section = "EXAMPLES $($block.Title)"
        if ($block.Title -notmatch '^Example \d+') { Stop-Malformed $File $section "an example heading must be '### Example N' or '### Example N: Title'." }
        $parts = Split-Fence $block.Lines $File $section
        if ($parts.Code.Count -eq 0) { Stop-Malformed $File $section 'the example has no code block.' }
        [pscustomobject]@{ Title = $block.Title; Code = ($parts.Code -join "`n`n"); Remarks = (ConvertTo-Paragraph $parts.Prose) }
    }
}

# INPUTS and OUTPUTS: '### TypeName' then an optional description.
function Read-TypeList([object[]] $Blocks, [string] $File, [string] $Section) {
    foreach ($block in $Blocks) {
        if (-not $block.Title) {
            if (($block.Lines -join '').Trim()) { Stop-Malformed $File $Section 'text before the first ### TypeName heading.' }
            continue
        }
        [pscustomobject]@{ Type = $block.Title; Description = (ConvertTo-Paragraph $block.Lines) }
    }
}

function Read-Links([string[]] $Lines, [string] $File) {
    foreach ($line in $Lines) {
        if (-not $line.Trim()) { continue }
        if ($line.Trim() -notmatch '^\[([^\]]+)\]\(([^)]*)\)$') { Stop-Malformed $File 'RELATED LINKS' "'$line' is not a [Text](uri) link." }
        [pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[2] }
    }
}

# Reads one cmdlet page into a model of the command. Throws on anything it does not understand.
function Read-CommandMarkdown([IO.FileInfo] $Item) {
    $file = $Item.Name
    $front = Read-FrontMatter ([IO.File]::ReadAllLines($Item.FullName)) $file
    $top = Split-Heading $front.Body 2 $file
    $title = @($top[0].Lines | Where-Object { $_.Trim() })
    $name = $Item.BaseName
    if ($title.Count -ne 1 -or $title[0] -ne "# $name") { Stop-Malformed $file 'title' "expected only the line '# $name' before ## SYNOPSIS." }

    $sections = @{}
    $order = @()
    foreach ($s in $top | Select-Object -Skip 1) {
        if ($s.Title -notin $script:CommandSections) { Stop-Malformed $file $s.Title "unknown section; expected $($script:CommandSections -join ', ')." }
        if ($sections.ContainsKey($s.Title)) { Stop-Malformed $file $s.Title 'the section appears twice.' }
        $sections[$s.Title] = [string[]]$s.Lines
        $order += $s.Title
    }
    foreach ($required in $script:CommandSections | Where-Object { $_ -ne 'NOTES' }) {
        if (-not $sections.ContainsKey($required)) { Stop-Malformed $file $required 'the section is missing.' }
    }
    $expectedOrder = @($script:CommandSections | Where-Object { $_ -in $order })
    if (($order -join '|') -ne ($expectedOrder -join '|')) { Stop-Malformed $file $order[0] "sections are out of order; expected $($expectedOrder -join ', ')." }

    $synopsis = ConvertTo-Paragraph $sections['SYNOPSIS']
    if ($synopsis.Count -eq 0) { Stop-Malformed $file 'SYNOPSIS' 'the synopsis is empty.' }
    $description = ConvertTo-Paragraph $sections['DESCRIPTION']
    if ($description.Count -eq 0) { Stop-Malformed $file 'DESCRIPTION' 'the description is empty.' }
    $syntax = @(Read-Syntax (Split-Heading $sections['SYNTAX'] 3) $file $name)
    if ($syntax.Count -eq 0) { Stop-Malformed $file 'SYNTAX' 'no ### ParameterSet block.' }
    $examples = @(Read-Examples (Split-Heading $sections['EXAMPLES'] 3) $file)
    if ($examples.Count -eq 0) { Stop-Malformed $file 'EXAMPLES' 'no ### Example block.' }
    $parameters = @(Read-Parameters (Split-Heading $sections['PARAMETERS'] 3) $file)
    $duplicate = $parameters | Group-Object Name | Where-Object Count -GT 1 | Select-Object -First 1
    if ($duplicate) { Stop-Malformed $file 'PARAMETERS' "-$($duplicate.Name) is described twice." }

    $command = [pscustomobject]@{
        Name        = $name
        File        = $file
        HelpFile    = $front.Meta['external help file']
        OnlineUri   = $front.Meta['online version']
        Synopsis    = $synopsis
        Description = $description
        Syntax      = $syntax
        Examples    = $examples
        Parameters  = $parameters
        Inputs      = @(Read-TypeList (Split-Heading $sections['INPUTS'] 3) $file 'INPUTS')
        Outputs     = @(Read-TypeList (Split-Heading $sections['OUTPUTS'] 3) $file 'OUTPUTS')
        Notes       = if ($sections.ContainsKey('NOTES')) { ConvertTo-Paragraph $sections['NOTES'] } else { @() }
        Links       = @(Read-Links $sections['RELATED LINKS'] $file)
    }
    Assert-SyntaxMatchesParameters $command
    $command
}

# The syntax lines and the yaml 'Parameter Sets' say the same thing twice; when they disagree one is stale.
function Assert-SyntaxMatchesParameters($Command) {
    $known = @($Command.Syntax.Name)
    foreach ($parameter in $Command.Parameters) {
        foreach ($set in $parameter.Yaml.Sets) {
            if ($set -ne '(All)' -and $set -notin $known) {
                Stop-Malformed $Command.File "PARAMETERS -$($parameter.Name)" "parameter set '$set' has no ### $set block under SYNTAX."
            }
        }
    }
    foreach ($set in $Command.Syntax) {
        $fromYaml = @(Get-SetParameter $Command $set.Name | ForEach-Object Name)
        $fromLine = @($set.Names)
        $missing = @($fromYaml | Where-Object { $_ -notin $fromLine })
        $extra = @($fromLine | Where-Object { $_ -notin $fromYaml })
        if ($missing -or $extra) {
            Stop-Malformed $Command.File "SYNTAX $($set.Name)" ("the syntax line and PARAMETERS disagree:" +
                $(if ($missing) { " PARAMETERS puts -$($missing -join ', -') in this set but the line lacks it." }) +
                $(if ($extra) { " the line has -$($extra -join ', -') but PARAMETERS does not put it in this set." }))
        }
    }
}

# The parameters of one set, in syntax-line order, each with the yaml block that applies to that set.
function Get-SetParameter($Command, [string] $SetName) {
    $line = @($Command.Syntax | Where-Object Name -EQ $SetName)[0].Names
    $found = foreach ($parameter in $Command.Parameters) {
        $yaml = $parameter.Yaml | Where-Object { $SetName -in $_.Sets -or '(All)' -in $_.Sets } | Select-Object -First 1
        if ($yaml) {
            $index = [Array]::IndexOf([string[]]$line, $parameter.Name)
            [pscustomobject]@{ Name = $parameter.Name; Description = $parameter.Description; Yaml = $yaml; Order = if ($index -ge 0) { $index } else { [int]::MaxValue } }
        }
    }
    @($found | Sort-Object Order)
}

#endregion

#region MAML writing

function Write-Element([Xml.XmlWriter] $Writer, [string] $Prefix, [string] $Name, [string] $Text) {
    $Writer.WriteElementString($Prefix, $Name, $script:Ns[$Prefix], $Text)
}

# <maml:description> with one <maml:para> per paragraph (an empty para when there is none, as platyPS does).
function Write-Description([Xml.XmlWriter] $Writer, [string[]] $Paragraphs) {
    $Writer.WriteStartElement('maml', 'description', $script:Ns.maml)
    if (-not $Paragraphs) { $Paragraphs = @('') }
    foreach ($p in $Paragraphs) { Write-Element $Writer 'maml' 'para' $p }
    $Writer.WriteEndElement()
}

function Write-DevType([Xml.XmlWriter] $Writer, [string] $TypeName) {
    $Writer.WriteStartElement('dev', 'type', $script:Ns.dev)
    Write-Element $Writer 'maml' 'name' $TypeName
    Write-Element $Writer 'maml' 'uri' ''
    $Writer.WriteEndElement()
}

function Write-ParameterValue([Xml.XmlWriter] $Writer, [string] $TypeName, [bool] $IsSwitch) {
    $Writer.WriteStartElement('command', 'parameterValue', $script:Ns.command)
    $Writer.WriteAttributeString('required', $(if ($IsSwitch) { 'false' } else { 'true' }))
    $Writer.WriteAttributeString('variableLength', 'false')
    $Writer.WriteString($TypeName)
    $Writer.WriteEndElement()
}

# One <command:parameter>. In a syntax item a switch gets no value and an enum gets its accepted values,
# so Get-Help shows '[-Force]' and '[-Format {Der | Base64}]'; the parameters list always names the type.
function Write-Parameter([Xml.XmlWriter] $Writer, [string] $Name, [string[]] $Description, $Yaml, [bool] $InSyntax) {
    $isSwitch = $Yaml.Type -eq 'SwitchParameter'
    $Writer.WriteStartElement('command', 'parameter', $script:Ns.command)
    $Writer.WriteAttributeString('required', $Yaml.Required.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('variableLength', 'true')
    $Writer.WriteAttributeString('globbing', $Yaml.Globbing.ToString().ToLowerInvariant())
    $Writer.WriteAttributeString('pipelineInput', $Yaml.PipelineInput)
    $Writer.WriteAttributeString('position', $Yaml.Position.ToLowerInvariant())
    $Writer.WriteAttributeString('aliases', $(if ($Yaml.Aliases) { $Yaml.Aliases -join ', ' } else { 'none' }))
    Write-Element $Writer 'maml' 'name' $Name
    Write-Description $Writer $Description
    if ($InSyntax -and $Yaml.AcceptedValues) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $script:Ns.command)
        foreach ($value in $Yaml.AcceptedValues) {
            $Writer.WriteStartElement('command', 'parameterValue', $script:Ns.command)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('command', 'variableLength', $script:Ns.command, 'false')
            $Writer.WriteString($value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    elseif (-not ($InSyntax -and $isSwitch)) {
        Write-ParameterValue $Writer $Yaml.Type $isSwitch
    }
    Write-DevType $Writer $Yaml.Type
    Write-Element $Writer 'dev' 'defaultValue' $Yaml.DefaultValue
    $Writer.WriteEndElement()
}

function Write-TypeList([Xml.XmlWriter] $Writer, [string] $ListName, [string] $ItemName, [object[]] $Types) {
    $Writer.WriteStartElement('command', $ListName, $script:Ns.command)
    foreach ($t in $Types) {
        $Writer.WriteStartElement('command', $ItemName, $script:Ns.command)
        Write-DevType $Writer $t.Type
        Write-Description $Writer $t.Description
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()
}

function Write-Command([Xml.XmlWriter] $Writer, $Command) {
    $verb, $noun = $Command.Name -split '-', 2
    $Writer.WriteStartElement('command', 'command', $script:Ns.command)
    foreach ($prefix in 'maml', 'command', 'dev', 'MSHelp') {
        $Writer.WriteAttributeString('xmlns', $prefix, $null, $script:Ns[$prefix])
    }

    $Writer.WriteStartElement('command', 'details', $script:Ns.command)
    Write-Element $Writer 'command' 'name' $Command.Name
    Write-Element $Writer 'command' 'verb' $verb
    Write-Element $Writer 'command' 'noun' $noun
    Write-Description $Writer $Command.Synopsis
    $Writer.WriteEndElement()

    Write-Description $Writer $Command.Description

    $Writer.WriteStartElement('command', 'syntax', $script:Ns.command)
    foreach ($set in $Command.Syntax) {
        $Writer.WriteStartElement('command', 'syntaxItem', $script:Ns.command)
        Write-Element $Writer 'maml' 'name' $Command.Name
        foreach ($p in Get-SetParameter $Command $set.Name) { Write-Parameter $Writer $p.Name $p.Description $p.Yaml $true }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $script:Ns.command)
    foreach ($p in $Command.Parameters) { Write-Parameter $Writer $p.Name $p.Description $p.Yaml[0] $false }
    $Writer.WriteEndElement()

    Write-TypeList $Writer 'inputTypes' 'inputType' $Command.Inputs
    Write-TypeList $Writer 'returnValues' 'returnValue' $Command.Outputs

    $Writer.WriteStartElement('maml', 'alertSet', $script:Ns.maml)
    $Writer.WriteStartElement('maml', 'alert', $script:Ns.maml)
    foreach ($p in @(if ($Command.Notes) { $Command.Notes } else { '' })) { Write-Element $Writer 'maml' 'para' $p }
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $script:Ns.command)
    foreach ($example in $Command.Examples) {
        $Writer.WriteStartElement('command', 'example', $script:Ns.command)
        Write-Element $Writer 'maml' 'title' "-------------------------- $($example.Title) --------------------------"
        Write-Element $Writer 'dev' 'code' $example.Code
        $Writer.WriteStartElement('dev', 'remarks', $script:Ns.dev)
        foreach ($p in @(if ($example.Remarks) { $example.Remarks } else { '' })) { Write-Element $Writer 'maml' 'para' $p }
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $script:Ns.command)
    $links = @(if ($Command.OnlineUri) { [pscustomobject]@{ Text = 'Online Version:'; Uri = $Command.OnlineUri } }) + $Command.Links
    foreach ($link in $links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $script:Ns.maml)
        Write-Element $Writer 'maml' 'linkText' $link.Text
        Write-Element $Writer 'maml' 'uri' $link.Uri
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

# XmlWriter does the escaping (&, <, >, quotes in attributes) and refuses characters XML cannot hold.
function Write-MamlFile([string] $Path, [object[]] $Commands) {
    $settings = [Xml.XmlWriterSettings]@{ Indent = $true; IndentChars = '  '; Encoding = [Text.UTF8Encoding]::new($false); NewLineChars = "`n" }
    $writer = [Xml.XmlWriter]::Create($Path, $settings)
    try {
        $writer.WriteStartDocument()
        $writer.WriteStartElement('helpItems', 'http://msh')
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($command in $Commands) { Write-Command $writer $command }
        $writer.WriteEndElement()
        $writer.WriteEndDocument()
    }
    finally { $writer.Dispose() }
}

#endregion

#region about_ topics

# Re-wraps prose at 80 columns; Get-Help prints the file as it is.
function Format-Wrapped([string] $Text, [string] $Indent, [string] $HangingIndent = $Indent, [int] $Width = 80) {
    $lines = [Collections.Generic.List[string]]::new()
    $line = $Indent
    foreach ($word in $Text -split '\s+' | Where-Object { $_ }) {
        if ($line.Trim() -and ($line.Length + 1 + $word.Length) -gt $Width) {
            $lines.Add($line.TrimEnd()); $line = $HangingIndent + $word
        }
        elseif ($line.Trim()) { $line += " $word" }
        else { $line += $word }
    }
    if ($line.Trim()) { $lines.Add($line.TrimEnd()) }
    $lines
}

# One block (the lines between blank lines) of an about_ section as text: tables, indented code and fenced code
# keep their lines; list items and prose are re-wrapped.
function Format-AboutBlock([string[]] $Lines) {
    $first = $Lines[0]
    if ($first -match '^\s*\|' -or $first -match '^( {4}|\t)') { return $Lines | ForEach-Object { "    $_".TrimEnd() } }
    if ($first -match '^\s*([-*]|\d+\.)\s') {
        $items = [Collections.Generic.List[string]]::new()
        foreach ($l in $Lines) {
            if ($l -match '^\s*([-*]|\d+\.)\s' -or $items.Count -eq 0) { $items.Add($l.Trim()) } else { $items[$items.Count - 1] += ' ' + $l.Trim() }
        }
        return $items | ForEach-Object {
            $marker = ($_ -split '\s', 2)[0]
            Format-Wrapped $_ '    ' (' ' * (5 + $marker.Length))
        }
    }
    Format-Wrapped ($Lines -join ' ') '    '
}

# Split-Heading has already refused unclosed fences, so a fence here always ends.
function Format-AboutBody([string[]] $Lines) {
    $out = [Collections.Generic.List[string]]::new()
    $block = [Collections.Generic.List[string]]::new()
    $inFence = $false
    $flush = {
        if ($block.Count) { foreach ($l in Format-AboutBlock ([string[]]$block)) { $out.Add($l) }; $out.Add(''); $block.Clear() }
    }
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') {
            & $flush
            if ($inFence) { $out.Add('') }
            $inFence = -not $inFence
            continue
        }
        if ($inFence) { $out.Add("        $line".TrimEnd()); continue }
        if ($line -match '^###+\s+(.*)$') { & $flush; $out.Add("  $($Matches[1].Trim().ToUpperInvariant())"); $out.Add(''); continue }
        if (-not $line.Trim()) { & $flush; continue }
        $block.Add($line)
    }
    & $flush
    $out
}

# platyPS's about_ layout: TOPIC, the name, SHORT DESCRIPTION, and the synopsis on line 5, which is the line
# Get-Help shows as the topic's synopsis; so the short description stays one line.
function ConvertTo-AboutText([IO.FileInfo] $Item) {
    $file = $Item.Name
    $lines = [IO.File]::ReadAllLines($Item.FullName)
    $top = Split-Heading $lines 2 $file
    $title = @($top[0].Lines | Where-Object { $_.Trim() })
    if ($title.Count -ne 1 -or $title[0] -ne "# $($Item.BaseName)") { Stop-Malformed $file 'title' "expected only the line '# $($Item.BaseName)' before ## SHORT DESCRIPTION." }
    $sections = @($top | Select-Object -Skip 1)
    if ($sections.Count -lt 2 -or $sections[0].Title -ne 'SHORT DESCRIPTION' -or $sections[1].Title -ne 'LONG DESCRIPTION') {
        Stop-Malformed $file 'SHORT DESCRIPTION' 'an about topic starts with ## SHORT DESCRIPTION and ## LONG DESCRIPTION.'
    }
    $short = ($sections[0].Lines | ForEach-Object Trim | Where-Object { $_ }) -join ' '
    if (-not $short) { Stop-Malformed $file 'SHORT DESCRIPTION' 'the short description is empty.' }

    $text = [Collections.Generic.List[string]]::new()
    $text.AddRange([string[]]@('TOPIC', "    $($Item.BaseName)", '', 'SHORT DESCRIPTION', "    $short", ''))
    foreach ($s in $sections | Select-Object -Skip 1) {
        $text.Add($s.Title.ToUpperInvariant())
        $body = @(Format-AboutBody ([string[]]$s.Lines))
        if (-not ($body -join '').Trim()) { Stop-Malformed $file $s.Title 'the section is empty.' }
        $text.AddRange([string[]]$body)
    }
    ($text -join "`n").TrimEnd() + "`n"
}

#endregion

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
