# Turns an about_*.md page into the plain text Get-Help about_* shows. Dot-sourced by Build-ModuleHelp.ps1.

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
