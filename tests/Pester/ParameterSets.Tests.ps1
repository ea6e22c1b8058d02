# Every parameter set of every exported cmdlet (from Get-Command) is exercised somewhere in this suite. The test files
# are read with PowerShell's own parser; each call of a module cmdlet is bound statically
# (StaticParameterBinder.BindCommand) and its set decided from what is bound: named parameters, and for a command fed
# by a pipeline, what the element before it writes (a module cmdlet's OutputType, Get-Item/Get-ChildItem -> files with
# FullName and PSPath, a [pscustomobject]@{...} literal -> its keys as property names, a variable -> what was assigned
# to it in the same file, anything else -> the expression's static type). Code inside strings (a child pwsh's
# script) is not counted. The report says which file and line exercise each set.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestPeers.psm1') -Force
    $module = Import-Module (Get-TestModuleManifest) -Force -PassThru
    $script:Sets = @(
        foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
            foreach ($set in $command.ParameterSets) { @{ Command = $command.Name; Set = $set.Name } }
        }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestPeers.psm1') -Force
    $module = Import-Module (Get-TestModuleManifest) -Force -PassThru
    $Language = [System.Management.Automation.Language.Ast].Namespace
    $script:Cmdlets = @{}
    Get-Command -Module $module.Name -CommandType Cmdlet | ForEach-Object { $Cmdlets[$_.Name] = $_ }
    $script:Common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    $PassThrough = 'Where-Object', 'Sort-Object', 'Select-Object', 'Tee-Object', 'Write-Output', 'Select-Object'
    $FileProperties = 'FullName', 'PSPath', 'Name', 'Length', 'PSChildName'

    function Get-AstOf([System.Management.Automation.Language.Ast] $Ast, [type] $Type) {
        @($Ast.FindAll({ param($a) $a -is $Type }, $true))
    }

    function Get-AssignedPipeline([System.Management.Automation.Language.Ast] $Root, [string] $Name, [int] $Before) {
        <# The last pipeline assigned to $Name before line $Before in the file (`$x = ...`). #>
        Get-AstOf $Root ([System.Management.Automation.Language.AssignmentStatementAst]) |
            Where-Object { $_.Left -is [System.Management.Automation.Language.VariableExpressionAst] -and ($_.Left.VariablePath.UserPath -replace '^\w+:') -eq $Name -and $_.Extent.StartLineNumber -le $Before } |
            Select-Object -Last 1 | ForEach-Object { $_.Right }
    }

    function Get-Feed($Element, $Root, [int] $Depth = 0) {
        <# What a pipeline element writes: type names and, for property binding, property names. #>
        $feed = @{ Types = [System.Collections.Generic.List[string]]::new(); Properties = [System.Collections.Generic.List[string]]::new() }
        if ($Depth -gt 5 -or $null -eq $Element) { return $feed }
        if ($Element -is [System.Management.Automation.Language.PipelineAst]) {
            return Get-Feed $Element.PipelineElements[-1] $Root ($Depth + 1)
        }
        if ($Element -is [System.Management.Automation.Language.CommandExpressionAst]) { $Element = $Element.Expression }
        if ($Element -is [System.Management.Automation.Language.CommandAst]) {
            $name = $Element.GetCommandName()
            $pipeline = $Element.Parent
            $index = $pipeline.PipelineElements.IndexOf($Element)
            if ($name -in $PassThrough -and $index -gt 0) { return Get-Feed $pipeline.PipelineElements[$index - 1] $Root ($Depth + 1) }
            if ($name -in 'Get-Item', 'Get-ChildItem') { $feed.Types.Add('System.IO.FileInfo'); $FileProperties | ForEach-Object { $feed.Properties.Add($_) }; return $feed }
            if ($Cmdlets.ContainsKey($name)) {
                $bound = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($Element, $true).BoundParameters.Keys
                if ($name -eq 'Test-OcspStaple' -and 'PassThru' -in $bound) { $feed.Types.Add('OcspStapling.OcspResponseInfo') }
                elseif ($name -eq 'Test-OcspStaple' -and 'Quiet' -in $bound) { $feed.Types.Add('System.Boolean') }
                else { $Cmdlets[$name].OutputType | ForEach-Object { $feed.Types.Add($_.Name) } }
                return $feed
            }
            if ($name -eq 'ForEach-Object') {
                $literal = Get-AstOf $Element ([System.Management.Automation.Language.ConvertExpressionAst]) | Where-Object { $_.Type.TypeName.Name -eq 'pscustomobject' } | Select-Object -Last 1
                if ($literal) { return Get-Feed $literal $Root ($Depth + 1) }
                $created = Get-AstOf $Element ([System.Management.Automation.Language.InvokeMemberExpressionAst]) | Where-Object { $_.Static -and $_.Member.Value -in 'new', 'CreateFromPemFile' } | Select-Object -Last 1
                if ($created) { $feed.Types.Add($created.Expression.TypeName.FullName); return $feed }
                $last = @(Get-AstOf $Element.CommandElements[-1] ([System.Management.Automation.Language.PipelineAst]))
                # { ...; $_ } passes its input on.
                if ($last -and $last[-1].Extent.Text -eq '$_' -and $index -gt 0) { return Get-Feed $pipeline.PipelineElements[$index - 1] $Root ($Depth + 1) }
                if ($last) { return Get-Feed $last[-1] $Root ($Depth + 1) }
                return $feed
            }
        }
        if ($Element -is [System.Management.Automation.Language.ConvertExpressionAst] -and $Element.Type.TypeName.Name -eq 'pscustomobject' -and
            $Element.Child -is [System.Management.Automation.Language.HashtableAst]) {
            $Element.Child.KeyValuePairs | ForEach-Object { $feed.Properties.Add($_.Item1.SafeGetValue()) }
            return $feed
        }
        if ($Element -is [System.Management.Automation.Language.ArrayExpressionAst]) {
            $Element = @(Get-AstOf $Element ([System.Management.Automation.Language.ArrayLiteralAst]))[0]
        }
        if ($Element -is [System.Management.Automation.Language.ArrayLiteralAst]) {
            foreach ($item in $Element.Elements) { $inner = Get-Feed $item $Root ($Depth + 1); $feed.Types.AddRange($inner.Types); $feed.Properties.AddRange($inner.Properties) }
            return $feed
        }
        if ($Element -is [System.Management.Automation.Language.VariableExpressionAst]) {
            $variable = $Element.VariablePath.UserPath -replace '^\w+:'
            if ($variable -eq '_') { return $feed }
            $assigned = Get-AssignedPipeline $Root $variable $Element.Extent.StartLineNumber
            if ($assigned) { return Get-Feed $assigned $Root ($Depth + 1) }
        }
        if ($Element -is [System.Management.Automation.Language.MemberExpressionAst] -and $Element.Member.Value -match 'Path$') {
            $feed.Types.Add('System.String'); return $feed
        }
        if ($Element -is [System.Management.Automation.Language.ExpressionAst]) {
            if ($Element.StaticType -ne [object]) { $feed.Types.Add($Element.StaticType.FullName) }
        }
        $feed
    }

    function Test-Takes($Parameter, $Feed) {
        <# Whether a parameter of a set takes what the feed writes, by value or by property name. #>
        if ($Parameter.ValueFromPipelineByPropertyName -and (@($Parameter.Name) + $Parameter.Aliases | Where-Object { $_ -in $Feed.Properties })) { return $true }
        if (-not $Parameter.ValueFromPipeline) { return $false }
        $type = $Parameter.ParameterType
        if ($type.IsArray) { $type = $type.GetElementType() }
        foreach ($name in $Feed.Types) {
            $fed = $name -as [type]
            if ($fed -and $type.IsAssignableFrom($fed)) { return $true }
            if ($type.FullName -eq $name -or $type.Name -eq $name) { return $true }
        }
        $false
    }

    function Resolve-ParameterSet([System.Management.Automation.Language.CommandAst] $Call, $Root) {
        <# The parameter set PowerShell would choose for this call, or $null when it cannot be told statically. #>
        $command = $Cmdlets[$Call.GetCommandName()]
        $binding = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($Call, $true)
        $bound = @($binding.BoundParameters.Keys | Where-Object { $_ -notin $Common })
        $pipeline = $Call.Parent -as [System.Management.Automation.Language.PipelineAst]
        $index = if ($pipeline) { $pipeline.PipelineElements.IndexOf($Call) } else { 0 }
        $feed = if ($index -gt 0) { Get-Feed $pipeline.PipelineElements[$index - 1] $Root } else { $null }
        $candidates = @(foreach ($set in $command.ParameterSets) {
                $names = $set.Parameters.Name
                if (@($bound | Where-Object { $_ -notin $names }).Count) { continue }
                $unbound = @($set.Parameters | Where-Object { $_.IsMandatory -and $_.Name -notin $bound })
                if ($feed) {
                    $takes = @($set.Parameters | Where-Object { $_.Name -notin $bound -and (Test-Takes $_ $feed) })
                    if (-not $takes) { continue }
                    $unbound = @($unbound | Where-Object { $_.Name -notin @($takes | ForEach-Object Name) })
                }
                if ($unbound.Count) { continue }
                $set
            })
        if ($candidates.Count -eq 1) { return $candidates[0].Name }
        if (@($candidates | ForEach-Object Name) -contains $command.DefaultParameterSet) { return $command.DefaultParameterSet }
        $null
    }

    $script:Uses = [System.Collections.Generic.List[object]]::new()
    foreach ($file in Get-ChildItem $PSScriptRoot -Filter '*.Tests.ps1') {
        $root = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref] $null, [ref] $null)
        foreach ($call in Get-AstOf $root ([System.Management.Automation.Language.CommandAst])) {
            if (-not $Cmdlets.ContainsKey([string] $call.GetCommandName())) { continue }
            $set = Resolve-ParameterSet $call $root
            $where = '{0}:{1}' -f $file.Name, $call.Extent.StartLineNumber
            $Uses.Add([pscustomobject]@{ Command = $call.GetCommandName(); Set = $set; Where = $where; Text = $call.Extent.Text })
        }
    }
}

Describe 'Parameter sets the suite exercises' {
    It 'finds the calls of the module''s cmdlets in the test files, and tells the set of nearly all of them' {
        $Uses.Count | Should -BeGreaterThan 50
        $unknown = @($Uses | Where-Object { -not $_.Set })
        $report = ($Uses | Sort-Object Command, Set, Where | Group-Object Command, Set | ForEach-Object {
                '{0,-40} {1}' -f $_.Name, (($_.Group.Where | Select-Object -First 6) -join ' ')
            }) -join "`n"
        Write-Host "Parameter sets and where the suite exercises them:`n$report"
        if ($unknown) { Write-Host "Calls whose set is not told statically:`n$(($unknown | ForEach-Object { "$($_.Where) $($_.Text)" }) -join "`n")" }
        $unknown.Count | Should -BeLessThan ($Uses.Count / 10) -Because 'the analysis should tell the set of almost every call'
    }

    It '<Command> -> <Set> is exercised' -ForEach $Sets {
        $where = @($Uses | Where-Object { $_.Command -eq $Command -and ($_.Set -eq $Set -or $Set -eq '__AllParameterSets') })
        $where | Should -Not -BeNullOrEmpty -Because "no test calls $Command with its $Set parameter set; add one that shows what a user sees"
    }
}
