#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
# Pester 5: the help Get-Help shows for the built module is written help, complete, and agrees with the code.
# In the spirit of PSScriptAnalyzer's ModuleHelp.Tests.ps1. It judges what Get-Help shows, never the markdown.
# The module: $env:OCSPSTAPLING_MODULE (a path to OcspStapling.psd1), else out/OcspStapling/<version>/OcspStapling.psd1.

BeforeDiscovery {
    $root = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)
    $modulePath = $env:OCSPSTAPLING_MODULE
    if (-not $modulePath) {
        $version = ([xml](Get-Content -Raw (Join-Path $root 'Directory.Build.props'))).Project.PropertyGroup.Version | Where-Object { $_ } | Select-Object -First 1
        $modulePath = Join-Path $root "out/OcspStapling/$version/OcspStapling.psd1"
    }
    $module = Import-Module $modulePath -PassThru -ErrorAction Stop
    # The common parameters are documented once, by <CommonParameters>; WhatIf and Confirm are not among them.
    $common = [System.Management.Automation.Cmdlet]::CommonParameters

    $commandCases = foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
        @{
            Name       = $command.Name
            ModulePath = $modulePath
            Parameters = @($command.Parameters.Values | Where-Object Name -NotIn $common | Sort-Object Name | ForEach-Object { @{ Parameter = $_.Name } })
        }
    }
    $aboutCase = @{ ModulePath = $modulePath; Topic = "about_$($module.Name)" }
}

Describe 'Help for <Name>' -ForEach $commandCases {
    BeforeAll {
        Import-Module $ModulePath -ErrorAction Stop
        $command = Get-Command $Name -ErrorAction Stop
        $help = Get-Help $Name -Full -ErrorAction Stop
        $common = [System.Management.Automation.Cmdlet]::CommonParameters
        $codeParameters = @($command.Parameters.Values | Where-Object Name -NotIn $common)
        $helpParameters = @($help.parameters.parameter | Where-Object { $_ })
    }

    It 'has a written synopsis, not the syntax Get-Help generates without a help file' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        # Without a help file, the synopsis is the syntax: 'Name [-Param] <Type> ... [<CommonParameters>]'.
        $help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($Name))\s+(\[|-\w)"
        $help.Synopsis | Should -Not -BeLike '*`[<CommonParameters>`]*'
    }

    It 'has a description' {
        ($help.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples, each with code' {
        $examples = @($help.examples.example | Where-Object { $_ })
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) {
            $example.code.Trim() | Should -Not -BeNullOrEmpty -Because "example '$($example.title.Trim('- '))' needs code"
        }
    }

    It 'documents no parameter the cmdlet lacks' {
        $unknown = @($helpParameters.name | Where-Object { $_ -notin $codeParameters.Name })
        $unknown | Should -BeNullOrEmpty -Because 'help describes parameters the code does not have'
    }

    It 'has one syntax per parameter set, each with the set''s parameters and their Required and Position' {
        # MAML syntax items carry no set name, so each code set is matched with the item naming the same parameters.
        $items = @($help.syntax.syntaxItem | Where-Object { $_ })
        $items.Count | Should -Be $command.ParameterSets.Count
        foreach ($set in $command.ParameterSets) {
            $expected = @($set.Parameters | Where-Object Name -NotIn $common | Sort-Object Name)
            $names = $expected.Name -join ','
            $item = $items | Where-Object { (@($_.parameter | Where-Object { $_ }).name | Sort-Object) -join ',' -eq $names }
            $item | Should -Not -BeNullOrEmpty -Because "set '$($set.Name)' has $names and help should show a syntax with exactly those"
            foreach ($parameter in $expected) {
                $shown = @($item)[0].parameter | Where-Object name -EQ $parameter.Name
                $shown.required | Should -Be $parameter.IsMandatory.ToString().ToLowerInvariant() -Because "-$($parameter.Name) in set '$($set.Name)'"
                $position = if ($parameter.Position -ge 0) { "$($parameter.Position)" } else { 'named' }
                $shown.position | Should -Be $position -Because "-$($parameter.Name) in set '$($set.Name)'"
            }
        }
    }

    Context '-<Parameter>' -ForEach $Parameters {
        BeforeAll {
            $code = $command.Parameters[$Parameter]
            $shown = $helpParameters | Where-Object name -EQ $Parameter
        }

        It 'is described' {
            $shown | Should -Not -BeNullOrEmpty -Because "Get-Help $Name should list -$Parameter"
            ($shown.description.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        }

        It 'has the type the code declares' {
            $shown.type.name | Should -BeIn @($code.ParameterType.Name, $code.ParameterType.FullName)
        }

        It 'is Required as the code says' {
            $mandatory = @($code.ParameterSets.Values.IsMandatory | Sort-Object -Unique)
            # A parameter mandatory in one set only is judged per set, by the syntax test above.
            if ($mandatory.Count -eq 1) {
                $shown.required | Should -Be $mandatory[0].ToString().ToLowerInvariant()
            }
        }
    }
}

Describe 'The about topic' -ForEach $aboutCase {
    BeforeAll {
        Import-Module $ModulePath -ErrorAction Stop
    }

    It 'Get-Help <Topic> finds it' {
        $about = Get-Help $Topic -ErrorAction Stop
        $about.Name | Should -Be $Topic
        $about.Category | Should -Be 'HelpFile'
        $about.Synopsis | Should -Not -BeNullOrEmpty
        "$about" | Should -Match 'LONG DESCRIPTION'
    }
}
