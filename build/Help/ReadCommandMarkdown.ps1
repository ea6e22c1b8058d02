# Reads a platyPS cmdlet page (schema 2.0.0) into a model of the command; throws, naming file and section, on
# anything it does not understand. Dot-sourced by Build-ModuleHelp.ps1.

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
