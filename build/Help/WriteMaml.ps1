# Writes the command models as MAML, in the shape platyPS 0.14's New-ExternalHelp writes it. Dot-sourced by
# Build-ModuleHelp.ps1.

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
