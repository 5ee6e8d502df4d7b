# The shipped labs (and the worked example) use only what a user can type: the exported cmdlets, the
# objects they return, and plain PowerShell. Each script is parsed with the PowerShell AST and refused for
# a type literal or a `using` of the engine's types, reflection, Add-Type/New-Object/Invoke-Expression,
# static members of any type outside a short list of plain .NET ones, and commands that are neither the
# module's cmdlets, nor PowerShell's own, nor functions the script defines (nor Pester's and the shared suite
# helper's, labs/*.Helpers.ps1, in *.Tests.ps1; the helper itself is held to the suites' rules).
BeforeDiscovery {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    $script:shipped = @(Get-ChildItem (Join-Path $root 'labs'), (Join-Path $root 'labs/examples') -Filter *.ps1 -File |
        Where-Object Name -notlike 'Invoke-*' | Sort-Object FullName | ForEach-Object { @{ Path = $_.FullName; File = $_.Name } })
}

BeforeAll {
    $root = (Resolve-Path "$PSScriptRoot/../..").Path
    Import-Module (Join-Path $root 'XenVbd.psd1') -Force -ErrorAction Stop
    $exported = @((Get-Module XenVbd).ExportedCmdlets.Keys)
    $pesterCommands = 'Describe', 'Context', 'It', 'BeforeAll', 'AfterAll', 'BeforeEach', 'AfterEach', 'BeforeDiscovery', 'Should', 'Mock', 'InModuleScope', 'Set-ItResult'
    # Plain .NET types a lab may name: parameter types, casts, and [Math]/[TimeSpan] for arithmetic.
    $allowedTypes = 'UInt64', 'Int32', 'Int64', 'Double', 'String', 'Boolean', 'Math', 'TimeSpan', 'Hashtable',
        'Object', 'Array', 'ScriptBlock', 'SwitchParameter', 'CmdletBinding', 'Parameter', 'ordered',
        'uint64', 'int', 'long', 'double', 'string', 'bool', 'hashtable', 'switch', 'object', 'array', 'scriptblock'
    $staticAllowed = 'Math', 'TimeSpan'
    $reflectionMembers = 'GetType', 'GetField', 'GetFields', 'GetMethod', 'GetMethods', 'GetProperty', 'GetProperties',
        'GetMember', 'GetMembers', 'GetConstructor', 'GetConstructors', 'InvokeMember', 'CreateInstance', 'MakeGenericType',
        'Assembly', 'Load', 'LoadFrom', 'LoadFile', 'GetValue', 'SetValue', 'PSObject', 'BaseObject', 'ImmediateBaseObject'
    $forbiddenCommands = 'Add-Type', 'New-Object', 'Invoke-Expression', 'iex'
    # The functions of the helpers the suites dot-source (Add-VbdLabPersonalityContext): a suite may call them.
    $helperFunctions = @(Get-ChildItem (Join-Path $root 'labs') -Filter *.Helpers.ps1 -File | ForEach-Object {
            [System.Management.Automation.Language.Parser]::ParseFile($_.FullName, [ref] $null, [ref] $null).FindAll({ $args[0] -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false).Name
        })

    function Test-LabSurface {
        # Returns one line per use of something outside the public surface; nothing for a clean script.
        param([Parameter(Mandatory)] [string] $Text, [switch] $PesterSuite)
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref] $tokens, [ref] $errors)
        if ($errors) { return @($errors | ForEach-Object { "parse error: $($_.Message)" }) }
        $problems = [System.Collections.Generic.List[string]]::new()
        $at = { param($node) "line $($node.Extent.StartLineNumber): $($node.Extent.Text)" }
        $functions = @($ast.FindAll({ $args[0] -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true).Name)

        foreach ($u in $ast.UsingStatements) { $problems.Add("using statement, $(& $at $u)") }
        foreach ($node in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.TypeExpressionAst] -or $args[0] -is [System.Management.Automation.Language.TypeConstraintAst] }, $true)) {
            # An array of a plain type ([string[]]) is as plain as its element type.
            $typeName = $node.TypeName
            while ($typeName -is [System.Management.Automation.Language.ArrayTypeName]) { $typeName = $typeName.ElementType }
            $name = $typeName.Name
            if ($name -like 'XenVbd*' -or $node.TypeName.FullName -like '*XenVbd*') { $problems.Add("engine type literal, $(& $at $node)") }
            elseif ($name -notin $allowedTypes -and ($name -replace '^System\.', '') -notin $allowedTypes) { $problems.Add("type literal [$name], $(& $at $node)") }
        }
        foreach ($node in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.MemberExpressionAst] }, $true)) {
            $member = if ($node.Member -is [System.Management.Automation.Language.StringConstantExpressionAst]) { $node.Member.Value } else { $null }
            if ($null -eq $member) { $problems.Add("computed member name, $(& $at $node)"); continue }
            if ($member -in $reflectionMembers) { $problems.Add("reflection member .$member, $(& $at $node)") }
            if ($node.Static) {
                $typeName = if ($node.Expression -is [System.Management.Automation.Language.TypeExpressionAst]) { $node.Expression.TypeName.Name -replace '^System\.', '' } else { '?' }
                if ($typeName -notin $staticAllowed) { $problems.Add("static member of [$typeName], $(& $at $node)") }
            }
        }
        foreach ($node in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.VariableExpressionAst] }, $true)) {
            # The engine's own handle on the session reaches everything, private state included.
            if ($node.VariablePath.UserPath -eq 'ExecutionContext') { $problems.Add("`$ExecutionContext, $(& $at $node)") }
        }
        foreach ($node in $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $name = $node.GetCommandName()
            if ($null -eq $name) {
                # & (Join-Path $PSScriptRoot 'lab.ps1'): a Pester suite running the lab beside it.
                if (-not $PesterSuite) { $problems.Add("dynamic command, $(& $at $node)") }
                continue
            }
            if ($name -in $forbiddenCommands) { $problems.Add("forbidden command $name, $(& $at $node)"); continue }
            if ($name -in $exported -or $name -in $functions -or ($PesterSuite -and ($name -in $pesterCommands -or $name -in $helperFunctions))) { continue }
            $command = Get-Command $name -ErrorAction SilentlyContinue
            if ($null -eq $command -or $command.ModuleName -notlike 'Microsoft.PowerShell.*') {
                $problems.Add("command $name is neither an exported XenVbd cmdlet nor PowerShell's own, $(& $at $node)")
            }
        }
        $problems
    }
}

AfterAll {
    Remove-Module XenVbd -Force -ErrorAction SilentlyContinue
}

Describe 'The shipped labs stay on the public surface' {
    It '<File> uses only the exported cmdlets, their output objects and plain PowerShell' -ForEach $shipped {
        $problems = Test-LabSurface -Text (Get-Content -Raw -LiteralPath $Path) -PesterSuite:($File -like '*.Tests.ps1' -or $File -like '*.Helpers.ps1')
        $problems | Should -BeNullOrEmpty
    }

    It 'lets a suite call the shared helper''s functions, and a lab script not' {
        $helperFunctions | Should -Contain 'Add-VbdLabPersonalityContext'
        $call = 'Add-VbdLabPersonalityContext -LabPath ./01-X.ps1 -Seed 1'
        Test-LabSurface -Text $call -PesterSuite | Should -BeNullOrEmpty
        Test-LabSurface -Text $call | Should -Not -BeNullOrEmpty -Because 'a lab runs without the suites'' helper'
    }

    It 'refuses each way around the surface' -ForEach @(
        @{ Why = 'an engine type literal'; Text = '$o = [XenVbd.Device.VbdDeviceOptions]::new()' }
        @{ Why = 'an array of an engine type'; Text = 'param([XenVbd.Device.VbdDevice[]] $Devices)' }
        @{ Why = 'an engine static call'; Text = '$d = [XenVbd.Device.VbdDevice]::Create($o)' }
        @{ Why = 'an engine type by its short name after using namespace'; Text = "using namespace XenVbd.Lab`n`$x = [LabRunner]" }
        @{ Why = 'reflection on an output object'; Text = '$t = $device.GetType().Assembly' }
        @{ Why = 'the base object behind a PSObject'; Text = '$device.PSObject.BaseObject.Host' }
        @{ Why = 'a reflection type'; Text = '[System.Reflection.Assembly]::LoadFrom("x.dll")' }
        @{ Why = 'Add-Type'; Text = 'Add-Type -TypeDefinition "public class A {}"' }
        @{ Why = 'New-Object'; Text = 'New-Object XenVbd.Lab.LabResult -ArgumentList x, 1' }
        @{ Why = 'Invoke-Expression'; Text = 'Invoke-Expression "[XenVbd.Lab.LabRunner]"' }
        @{ Why = 'a program outside PowerShell'; Text = 'dotnet build' }
        @{ Why = 'a command of another module'; Text = 'Invoke-Pester ./labs' }
        @{ Why = 'a computed member name'; Text = '$m = "Frontend"; $device.$m' }
        @{ Why = 'the session''s engine handle'; Text = '$ExecutionContext.SessionState.Module' }
    ) {
        Test-LabSurface -Text $Text | Should -Not -BeNullOrEmpty -Because "$Why must be refused"
    }

    It 'accepts a plain lab' {
        Test-LabSurface -Text @'
param([UInt64] $Seed = 1)
$lab = New-VbdLabResult -Name X -Seed $Seed
$d = New-VbdDevice -Name x -Seed $lab.SeedFor('d')
$r = Invoke-VbdWorkload -Device $d -Count 10
$null = $lab.Check([Math]::Abs($r.Errors) -eq 0, 'errors')
$lab
'@ | Should -BeNullOrEmpty
    }
}
