# Each option with a range states its default and bounds once, in the engine; the cmdlets hold whole numbers to it with
# ValidateRange and durations with a check of their own, worded in PowerShell's terms. The xunit parity test compares
# the attributes and defaults with the command line's; these run the refusals as a user meets them.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestPeers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Work = Join-Path $TestDrive 'ranges'
    $script:Store = Join-Path $Work 'store'
    New-Item -ItemType Directory -Force -Path $Work | Out-Null
}

Describe 'Options out of their range' {
    It 'refuses an -Interval above a year for Update-OcspStaple, naming the parameter and the range' {
        { Update-OcspStaple -Path $Work -StorePath $Store -Interval ([timespan]::FromDays(400)) -ErrorAction Stop } |
            Should -Throw -ErrorId 'UpdateOcspStapleInvalidArgument,OcspStapling.Commands.UpdateOcspStapleCommand' `
                -ExpectedMessage '-Interval must be above 00:00:00 and at most 366.00:00:00, not 400.00:00:00.'
        Test-Path $Store | Should -BeFalse -Because 'nothing is written for a refused invocation'
    }

    It 'refuses a zero -Interval for Get-OcspStaple' {
        { Get-OcspStaple -Path $Work -StorePath $Store -Interval 0 -ErrorAction Stop } |
            Should -Throw -ErrorId 'GetOcspStapleInvalidArgument,OcspStapling.Commands.GetOcspStapleCommand' `
                -ExpectedMessage '-Interval must be above 00:00:00 and at most 366.00:00:00, not 00:00:00.'
    }

    It 'refuses a -DrainTimeout above an hour before Start-StaplingListener listens' {
        $port = Get-FreeTcpPort
        { Start-StaplingListener -Port $port -CertificatePath (Join-Path $Work 'none.pem') -DrainTimeout '02:00:00' -ErrorAction Stop } |
            Should -Throw -ErrorId 'StartStaplingListenerInvalidArgument,OcspStapling.Commands.StartStaplingListenerCommand' `
                -ExpectedMessage '-DrainTimeout must be at least 00:00:00 and at most 01:00:00, not 02:00:00.'
        Get-StaplingListener | Should -BeNullOrEmpty
    }

    It 'takes -TimeoutSec up to an hour and refuses one second more, as --timeout does' {
        (Get-Command Get-OcspResponse).Parameters['TimeoutSec'].Attributes.Where({ $_ -is [System.Management.Automation.ValidateRangeAttribute] }).MaxRange |
            Should -Be 3600
        { Get-OcspResponse -Path (Join-Path $Work 'none.pem') -TimeoutSec 3601 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,OcspStapling.Commands.GetOcspResponseCommand'
    }
}
