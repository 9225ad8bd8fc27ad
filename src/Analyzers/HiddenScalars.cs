using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Peft.Analyzers;

/// <summary>
/// TorchSharp 0.107 members that create a Scalar inside themselves and pass it on to libtorch unheld, found by
/// reading TorchSharp's IL (a Runtime test reads it again and fails when a TorchSharp update adds one that is not
/// listed). Keys are "Type.Member(ParameterTypeNames)" with simple type names.
/// </summary>
public static class HiddenScalars
{
    public static readonly IReadOnlyList<string> Members =
    [
        "TorchSharp.torch.Tensor.add(Scalar)", "TorchSharp.torch.Tensor.add(Tensor)",
        "TorchSharp.torch.Tensor.add_(Scalar)", "TorchSharp.torch.Tensor.add_(Tensor)",
        "TorchSharp.torch.Tensor.addcdiv(Tensor,Tensor)", "TorchSharp.torch.Tensor.addcdiv_(Tensor,Tensor)",
        "TorchSharp.torch.Tensor.celu()", "TorchSharp.torch.Tensor.celu_()",
        "TorchSharp.torch.Tensor.elu(Double)", "TorchSharp.torch.Tensor.elu_(Double)",
        "TorchSharp.torch.Tensor.softplus(Double,Double)", "TorchSharp.torch.Tensor.square()", "TorchSharp.torch.Tensor.tolist()",
        "TorchSharp.torch.Tensor.ToString(Boolean,String,Nullable,CultureInfo,String)",
        "TorchSharp.torch.Tensor.ToString(TensorStringStyle,String,Nullable,CultureInfo,String)",
        "TorchSharp.torch.Tensor.op_Explicit(Tensor)",
        .. Operators("op_Addition", both: true), .. Operators("op_Subtraction", both: true), .. Operators("op_Multiply", both: true),
        .. Operators("op_Division", both: true), .. Operators("op_Modulus", both: false),
        "TorchSharp.torch.Tensor.op_Addition(Scalar,Tensor)", "TorchSharp.torch.Tensor.op_Addition(Tensor,Scalar)",
        "TorchSharp.torch.Tensor.op_Addition(Tensor,Tensor)", "TorchSharp.torch.Tensor.op_Subtraction(Scalar,Tensor)",
        "TorchSharp.torch.add(Tensor,Scalar)", "TorchSharp.torch.add(Tensor,Tensor)",
        "TorchSharp.torch.add_(Tensor,Scalar)", "TorchSharp.torch.add_(Tensor,Tensor)",
        "TorchSharp.torch.square(Tensor)", "TorchSharp.torch.arange(Scalar,Nullable,Device,Boolean)",
        "TorchSharp.torch.arange(Scalar,Scalar,Nullable,Device,Boolean)",
        "TorchSharp.torch.normal(Double,Double,ReadOnlySpan,Nullable,Device,Boolean,Generator,String[])",
        "TorchSharp.torch.normal(Tensor,Tensor,Generator)",
        "TorchSharp.torch.histogram(Tensor,HistogramBinSelector,Nullable,Boolean)",
        "TorchSharp.torch.linalg.matrix_norm(Tensor,Double,Int64[],Boolean)", "TorchSharp.torch.linalg.vector_norm(Tensor,Double,Int64[],Boolean)",
        "TorchSharp.torch.nn.functional.celu(Tensor,Double,Boolean)", "TorchSharp.torch.nn.functional.elu(Tensor,Double,Boolean)",
        "TorchSharp.torch.nn.functional.hardshrink(Tensor,Double)", "TorchSharp.torch.nn.functional.Hardshrink(Tensor,Double)",
        "TorchSharp.torch.nn.functional.hardtanh(Tensor,Double,Double,Boolean)", "TorchSharp.torch.nn.functional.Hardtanh(Tensor,Double,Double,Boolean)",
        "TorchSharp.torch.nn.functional.leaky_relu(Tensor,Double,Boolean)", "TorchSharp.torch.nn.functional.mish(Tensor,Boolean)",
        "TorchSharp.torch.nn.functional.Mish(Tensor)", "TorchSharp.torch.nn.functional.softplus(Tensor,Double,Double)",
        "TorchSharp.torch.nn.functional.softshrink(Tensor,Double)", "TorchSharp.torch.nn.functional.Softshrink(Tensor,Double)",
        "TorchSharp.torch.nn.functional.softsign(Tensor,Boolean)", "TorchSharp.torch.nn.functional.Softsign(Tensor)",
        "TorchSharp.torch.nn.functional.threshold(Tensor,Double,Double,Boolean)", "TorchSharp.torch.nn.functional.Threshold(Tensor,Double,Double,Boolean)",
        // Distributions, their constraints and nn helpers: not on any served path, listed so they cannot come onto one.
        "TorchSharp.torch.distributions.Binomial(Int32,Nullable,Nullable,Generator)",
        "TorchSharp.torch.distributions.Binomial(Tensor,Tensor,Tensor,Generator)",
        "TorchSharp.torch.distributions.Cauchy(Tensor,Tensor,Generator)",
        "TorchSharp.torch.distributions.Chi2(Tensor,Generator)",
        "TorchSharp.torch.distributions.ExponentialFamily.entropy()",
        "TorchSharp.torch.distributions.FisherSnedecor(Tensor,Tensor,Generator)",
        "TorchSharp.torch.distributions.Gumbel(Tensor,Tensor,Generator)",
        "TorchSharp.torch.distributions.HalfCauchy(Tensor,Generator)",
        "TorchSharp.torch.distributions.Kumaraswamy(Tensor,Tensor,Generator)",
        "TorchSharp.torch.distributions.NegativeBinomial(Int32,Nullable,Nullable,Generator)",
        "TorchSharp.torch.distributions.NegativeBinomial(Tensor,Tensor,Tensor,Generator)",
        "TorchSharp.torch.distributions.OneHotCategorical(Nullable,Nullable,Generator)",
        "TorchSharp.torch.distributions.OneHotCategorical(Tensor,Tensor,Generator)",
        "TorchSharp.torch.distributions.constraints._Boolean.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._CorrCholesky.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._GreaterThan.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._GreaterThanEq.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._HalfOpenInterval.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._IntegerGreaterThan.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._IntegerInterval.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._IntegerLessThan.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._Interval.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._LessThan.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._LowerCholesky.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._Multinomial.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._OneHot.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._PositiveDefinite.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._PositiveSemiDefinite.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._Simplex.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._Square.check(Tensor)",
        "TorchSharp.torch.distributions.constraints._Symmetric.check(Tensor)",
        "TorchSharp.torch.nn.PReLU(Int64,Double,Device,Nullable)",
        "TorchSharp.torch.nn.utils.fuse_conv_bn_weights(Tensor,Tensor,Tensor,Tensor,Double,Tensor,Tensor,Boolean)",
        "TorchSharp.torch.nn.utils.fuse_linear_bn_eval(Linear,BatchNorm)",
        "TorchSharp.torch.nn.utils.fuse_linear_bn_weights(Tensor,Tensor,Tensor,Tensor,Double,Tensor,Tensor)",
    ];

    private static readonly HashSet<string> Set = new(Members);

    /// <summary>Null when <paramref name="method"/> is safe; otherwise a hint at the safe form.</summary>
    public static string? Make(IMethodSymbol method) => Set.Contains(Key(method)) ? Hint(method.Name) : null;

    public static string Key(IMethodSymbol method) =>
        $"{method.ContainingType.ToDisplayString()}.{method.Name}({string.Join(",", method.Parameters.Select(p => Simple(p.Type)))})";

    private static string Simple(ITypeSymbol type) => type is IArrayTypeSymbol array ? Simple(array.ElementType) + "[]" : type.Name;

    private static string Hint(string name) => name switch
    {
        "add" or "add_" => " (pass the alpha: x.add(y, Scalars.One))",
        "square" => " (x.mul(x))",
        _ when name.StartsWith("op_") => " (call the method with a held Scalar, or x.add(y, Scalars.One) for tensor + tensor)",
        _ => "",
    };

    private static IEnumerable<string> Operators(string name, bool both)
    {
        string[] numbers = ["Double", "Int32", "Int64", "Single"];
        foreach (string n in numbers)
        {
            yield return $"TorchSharp.torch.Tensor.{name}(Tensor,{n})";
            if (both) yield return $"TorchSharp.torch.Tensor.{name}({n},Tensor)";
        }
    }
}
