using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Peft.Analyzers;
using TorchSharp;

namespace Peft.Runtime.Tests.Build;

/// <summary>
/// PEFT001 (src/Analyzers), the build-time check against temporary TorchSharp Scalars: it fires on every shape of
/// temporary and stays quiet on held Scalars; its list of TorchSharp members that make a Scalar inside themselves
/// covers every such member TorchSharp's IL has, so a TorchSharp update that adds one fails here.
/// </summary>
public sealed class ScalarAnalyzerTests
{
    [Theory]
    [InlineData("x.mul(2.0)")]
    [InlineData("x.add_(x, alpha: 0.5)")]
    [InlineData("x.mul(eps)")]
    [InlineData("x.mul(eps.ToScalar())")]
    [InlineData("x.add(x)")]
    [InlineData("x.add_(Scalars.Of(eps))")]
    [InlineData("x.square()")]
    [InlineData("x * 2")]
    [InlineData("x + x")]
    [InlineData("torch.arange(8)")]
    [InlineData("torch.linalg.vector_norm(x, 2)")]
    public void Temporaries_are_errors(string expression)
    {
        var found = Analyze($"var y = {expression};");
        Assert.Contains(found, d => d.Id == ScalarTemporaryAnalyzer.Id && d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void A_scalar_in_a_plain_local_is_an_error_because_it_dies_before_the_call_ends()
    {
        var found = Analyze("var s = eps.ToScalar(); var y = x.mul(s);");
        Assert.Contains(found, d => d.Id == ScalarTemporaryAnalyzer.Id);
    }

    [Theory]
    [InlineData("var y = x.mul(Scalars.One);")]
    [InlineData("var y = x.add(x, Scalars.One);")]
    [InlineData("var y = x.add_(Scalars.Of(eps), Scalars.One);")]
    [InlineData("using var s = eps.ToScalar(); var y = x.mul(s);")]
    [InlineData("using (var s = eps.ToScalar()) { var y = x.div(s); }")]
    [InlineData("var y = x.mul(x).norm(2f);")]
    public void Held_scalars_are_fine(string statements)
    {
        Assert.DoesNotContain(Analyze(statements), d => d.Id == ScalarTemporaryAnalyzer.Id);
    }

    [Fact]
    public void Fields_may_hold_scalars()
    {
        const string source = """
            using TorchSharp;
            static class Cached
            {
                public static readonly Scalar Two = 2.0;
                public static Scalar Half { get; } = 0.5.ToScalar();
            }
            """;
        Assert.DoesNotContain(Compile(source), d => d.Id == ScalarTemporaryAnalyzer.Id);
    }

    [Fact]
    public void The_list_covers_every_TorchSharp_member_whose_IL_makes_a_scalar()
    {
        var assembly = typeof(torch).Assembly;
        var makers = MakersOfScalars(assembly);
        var listed = HiddenScalars.Members.ToHashSet();
        // TorchScript and TensorBoard are out of scope: neither is, or could sensibly be, on a served path.
        var missing = makers.Where(m => m.DeclaringType!.FullName!.StartsWith("TorchSharp.torch", StringComparison.Ordinal)
                && !m.DeclaringType.FullName.Contains("+jit", StringComparison.Ordinal) && !m.DeclaringType.FullName.Contains("tensorboard", StringComparison.Ordinal))
            .Select(Key).Where(k => !listed.Contains(k)).Order().ToList();
        Assert.True(missing.Count == 0, $"add to src/Analyzers/HiddenScalars.cs: {string.Join("; ", missing)}");
        Assert.Contains("TorchSharp.torch.Tensor.add(Tensor)", makers.Select(Key));
    }

    private static IReadOnlyList<Diagnostic> Analyze(string statements) => Compile($$"""
        using Peft.Runtime.Torch;
        using TorchSharp;
        using static TorchSharp.torch;
        static class Snippet
        {
            static void Run(Tensor x, double eps)
            {
                {{statements}}
            }
        }
        """);

    private static IReadOnlyList<Diagnostic> Compile(string source)
    {
        string[] assemblies = [typeof(object).Assembly.Location, typeof(torch).Assembly.Location, typeof(Peft.Runtime.Torch.Scalars).Assembly.Location,
            .. Directory.GetFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "System*.dll"),
            Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "netstandard.dll")];
        var compilation = CSharpCompilation.Create("snippet", [CSharpSyntaxTree.ParseText(source)],
            assemblies.Distinct().Select(a => MetadataReference.CreateFromFile(a)),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return compilation.WithAnalyzers([new ScalarTemporaryAnalyzer()]).GetAnalyzerDiagnosticsAsync().Result;
    }

    /// <summary>Public methods of the assembly whose body makes a Scalar (its conversions, ToScalar), or calls one of
    /// the assembly's methods that does, transitively.</summary>
    private static List<MethodBase> MakersOfScalars(Assembly assembly)
    {
        var callers = new Dictionary<MethodBase, List<MethodBase>>();
        var direct = new HashSet<MethodBase>();
        foreach (var type in Types(assembly))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly)
                         .Cast<MethodBase>().Concat(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)))
            {
                foreach (var callee in Callees(method))
                {
                    if (callee.DeclaringType == typeof(Scalar) && callee.Name == "op_Implicit" || callee.Name == "ToScalar") direct.Add(method);
                    else if (callee.Module == method.Module)
                    {
                        if (!callers.TryGetValue(callee, out var list)) callers[callee] = list = [];
                        list.Add(method);
                    }
                }
            }
        }
        var found = new HashSet<MethodBase>(direct);
        var queue = new Queue<MethodBase>(direct);
        while (queue.TryDequeue(out var m))
            foreach (var caller in callers.GetValueOrDefault(m) ?? [])
                if (found.Add(caller)) queue.Enqueue(caller);
        return found.Where(m => m.IsPublic && m.DeclaringType is { IsPublic: true } or { IsNestedPublic: true } && m is MethodInfo).ToList();
    }

    private static IEnumerable<MethodBase> Callees(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or TypeLoadException)
        {
            yield break;
        }
        if (il is null) yield break;
        for (int i = 0; i < il.Length;)
        {
            var op = il[i] == 0xFE ? TwoByte[il[i + 1]] : OneByte[il[i]];
            int at = i + op.Size;
            if (op.OperandType is OperandType.InlineMethod)
            {
                MethodBase? callee = null;
                try
                {
                    callee = method.Module.ResolveMethod(BitConverter.ToInt32(il, at), method.DeclaringType?.GetGenericArguments(), method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : null);
                }
                catch (Exception e) when (e is ArgumentException or FileNotFoundException or FileLoadException or TypeLoadException or BadImageFormatException)
                {
                }
                if (callee is not null) yield return callee;
            }
            i = at + OperandSize(op.OperandType, il, at);
        }
    }

    private static int OperandSize(OperandType type, byte[] il, int at) => type switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
        _ => 4,
    };

    private static readonly OpCode[] OneByte = OpCodesBy(one: true);
    private static readonly OpCode[] TwoByte = OpCodesBy(one: false);

    private static OpCode[] OpCodesBy(bool one)
    {
        var table = new OpCode[256];
        foreach (var field in typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static))
        {
            var op = (OpCode)field.GetValue(null)!;
            if ((op.Size == 1) == one) table[(ushort)op.Value & 0xFF] = op;
        }
        return table;
    }

    private static IEnumerable<Type> Types(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    /// <summary>The analyzer's key: declaring type with '.' for nesting, member name, simple parameter type names.</summary>
    private static string Key(MethodBase method) =>
        $"{method.DeclaringType!.FullName!.Replace('+', '.')}.{method.Name}({string.Join(",", method.GetParameters().Select(p => Simple(p.ParameterType)))})";

    private static string Simple(Type type) => type.IsArray ? Simple(type.GetElementType()!) + "[]"
        : type.IsByRef ? Simple(type.GetElementType()!)
        : type.Name.Split('`')[0];
}
