using System.Text;
using Peft.ChatTemplates.Jinja.Runtime;
using Peft.ChatTemplates.Jinja.Syntax;

namespace Peft.ChatTemplates.Jinja.Evaluation;

/// <summary>
/// A macro (or a call block's <c>caller</c>): a closure over the frame it was defined in, binding arguments the way
/// jinja2's Macro does. Missing arguments without a default are undefined; extra positional arguments need the body
/// to read <c>varargs</c>, extra keywords need <c>kwargs</c>.
/// </summary>
internal sealed class Macro(Renderer renderer, string name, MacroSignature signature, IReadOnlyList<Stmt> body, Frame closure)
    : JinjaCallable
{
    public override string Name { get; } = name;

    public override object? Call(CallArguments arguments)
    {
        renderer.Step();
        var frame = Bind(arguments);
        renderer.EnterCall();
        try
        {
            return renderer.Render(body, frame);
        }
        finally
        {
            renderer.ExitCall();
        }
    }

    private Frame Bind(CallArguments arguments)
    {
        var frame = closure.Child();
        var named = arguments.Named.ToDictionary(n => n.Key, n => n.Value, StringComparer.Ordinal);
        var parameters = signature.Parameters;
        for (var i = 0; i < parameters.Count; i++)
        {
            object? value;
            if (i < arguments.Positional.Count)
            {
                value = arguments.Positional[i];
            }
            else if (named.Remove(parameters[i], out var keyword))
            {
                value = keyword;
            }
            else if (signature.Defaults[i] is { } fallback)
            {
                value = renderer.EvaluateIn(fallback, frame);
            }
            else
            {
                value = Undefined.WithMessage($"parameter '{parameters[i]}' was not provided");
            }

            frame.Set(parameters[i], value);
        }

        if (signature.UsesCaller)
        {
            frame.Set("caller", named.Remove("caller", out var caller) && caller is not null
                ? caller
                : Undefined.WithMessage("No caller defined"));
        }

        if (signature.UsesKwargs)
        {
            var kwargs = new PyDict();
            foreach (var (key, value) in arguments.Named.Where(n => named.ContainsKey(n.Key)))
            {
                kwargs.Set(key, value);
            }

            frame.Set("kwargs", kwargs);
        }
        else if (named.Count > 0)
        {
            throw TemplateError.TypeError(named.ContainsKey("caller")
                ? $"macro '{Name}' was invoked with two values for the special caller argument. This is most likely a bug."
                : $"macro '{Name}' takes no keyword argument '{named.Keys.First()}'");
        }

        if (signature.UsesVarargs)
        {
            frame.Set("varargs", new PyTuple([.. arguments.Positional.Skip(parameters.Count)]));
        }
        else if (arguments.Positional.Count > parameters.Count)
        {
            throw TemplateError.TypeError($"macro '{Name}' takes not more than {parameters.Count} argument(s)");
        }

        return frame;
    }

    public override string ToString() => new StringBuilder("<Macro '").Append(Name).Append("'>").ToString();
}
