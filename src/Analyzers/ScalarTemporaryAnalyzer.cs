using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Peft.Analyzers;

/// <summary>
/// PEFT001: no temporary TorchSharp Scalar. TorchSharp hands a Scalar's native handle to libtorch and keeps nothing
/// else alive, so a Scalar nobody holds can be finalized by a collection in the middle of the native call: the
/// "Unknown scalar type" and c10 assertion failures seen under load (see Runtime/Torch/Scalars.cs). Three shapes make
/// one: a number converted implicitly where a Scalar is expected (<c>x.mul(2.0)</c>, <c>x.add_(y, alpha: 0.5)</c>),
/// <c>ToScalar()</c> used in place, and TorchSharp members that make one inside themselves (<c>x.add(y)</c> makes
/// an alpha of 1, <c>x.square()</c> an exponent of 2, <c>x * 2</c>). A Scalar is held when it is a field or property
/// (<c>Scalars.One</c>, <c>Scalars.Of(eps)</c>), or a local declared with <c>using</c>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ScalarTemporaryAnalyzer : DiagnosticAnalyzer
{
    public const string Id = "PEFT001";

    private static readonly DiagnosticDescriptor Rule = new(
        Id,
        "Temporary TorchSharp Scalar",
        "{0}: TorchSharp passes only the Scalar's handle, so a collection during the call can free it; hold it in a field (Scalars.One, Scalars.Of(value)) or a 'using' local{1}",
        "Reliability",
        DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A Scalar nobody holds can be finalized while libtorch still reads it.");

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var scalar = start.Compilation.GetTypeByMetadataName("TorchSharp.Scalar");
            if (scalar is null) return;
            start.RegisterOperationAction(c => CheckConversion(c, scalar), OperationKind.Conversion);
            start.RegisterOperationAction(c => CheckInvocation(c, scalar), OperationKind.Invocation);
            start.RegisterOperationAction(CheckOperator, OperationKind.Binary, OperationKind.CompoundAssignment, OperationKind.Unary);
        });
    }

    private static void CheckConversion(OperationAnalysisContext context, INamedTypeSymbol scalar)
    {
        var conversion = (IConversionOperation)context.Operation;
        if (conversion.IsImplicit && conversion.Conversion.IsUserDefined
            && SymbolEqualityComparer.Default.Equals(conversion.Type, scalar) && !IsHeld(conversion))
            context.ReportDiagnostic(Diagnostic.Create(Rule, conversion.Syntax.GetLocation(),
                $"'{conversion.Operand.Syntax}' becomes a temporary Scalar", ""));
    }

    private static void CheckInvocation(OperationAnalysisContext context, INamedTypeSymbol scalar)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (method.Name == "ToScalar" && SymbolEqualityComparer.Default.Equals(method.ReturnType, scalar) && !IsHeld(invocation))
            context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(), $"'{invocation.Syntax}' is a temporary Scalar", ""));
        else if (HiddenScalars.Make(method) is { } hint)
            context.ReportDiagnostic(Diagnostic.Create(Rule, invocation.Syntax.GetLocation(),
                $"TorchSharp's {method.ContainingType.Name}.{method.Name} makes a Scalar inside the call", hint));
    }

    private static void CheckOperator(OperationAnalysisContext context)
    {
        var method = context.Operation switch
        {
            IBinaryOperation b => b.OperatorMethod,
            ICompoundAssignmentOperation c => c.OperatorMethod,
            IUnaryOperation u => u.OperatorMethod,
            _ => null,
        };
        if (method is not null && HiddenScalars.Make(method) is { } hint)
            context.ReportDiagnostic(Diagnostic.Create(Rule, context.Operation.Syntax.GetLocation(),
                $"the TorchSharp operator in '{context.Operation.Syntax}' makes a Scalar inside the call", hint));
    }

    /// <summary>Whether the new Scalar is kept alive by something that outlives the call: a field or property it is
    /// stored in, or a local declared with <c>using</c>.</summary>
    private static bool IsHeld(IOperation created)
    {
        var parent = created.Parent;
        while (parent is IConversionOperation or IParenthesizedOperation) parent = parent.Parent;
        switch (parent)
        {
            case IFieldInitializerOperation or IPropertyInitializerOperation:
                return true;
            case ISimpleAssignmentOperation { Target: IFieldReferenceOperation or IPropertyReferenceOperation }:
                return true;
            case IVariableInitializerOperation { Parent: IVariableDeclaratorOperation { Parent: IVariableDeclarationOperation { Parent: IVariableDeclarationGroupOperation group } } }:
                return group.Parent is IUsingDeclarationOperation or IUsingOperation;
            default:
                return false;
        }
    }
}
