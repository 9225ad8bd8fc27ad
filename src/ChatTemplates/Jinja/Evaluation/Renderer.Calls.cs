using Peft.ChatTemplates.Jinja.Runtime;
using Peft.ChatTemplates.Jinja.Syntax;

namespace Peft.ChatTemplates.Jinja.Evaluation;

internal sealed partial class Renderer
{
    private object? EvaluateCall(Call call, Frame frame, Macro? caller)
    {
        var callee = Evaluate(call.Callee, frame);
        var arguments = EvaluateArguments(call.Args, frame);
        if (caller is not null)
        {
            arguments = new CallArguments(arguments.Positional, [.. arguments.Named, new("caller", caller)]);
        }

        return callee switch
        {
            JinjaCallable callable => callable.Call(arguments),
            Undefined undefined => throw undefined.Fail(),
            _ => throw TemplateError.TypeError($"'{Py.TypeName(callee)}' object is not callable"),
        };
    }

    private CallArguments EvaluateArguments(Arguments arguments, Frame frame)
    {
        if (ReferenceEquals(arguments, Arguments.None))
        {
            return CallArguments.Empty;
        }

        var positional = arguments.Positional.Select(a => Evaluate(a, frame)).ToList();
        if (arguments.Splat is not null)
        {
            positional.AddRange(Py.Iterate(Evaluate(arguments.Splat, frame)));
        }

        var named = arguments.Named.Select(n => new KeyValuePair<string, object?>(n.Key, Evaluate(n.Value, frame))).ToList();
        if (arguments.KeywordSplat is not null)
        {
            var splat = Evaluate(arguments.KeywordSplat, frame) as PyDict
                ?? throw TemplateError.TypeError("argument after ** must be a mapping");
            foreach (var (key, value) in splat.Entries)
            {
                named.Add(new(key as string ?? throw TemplateError.TypeError("keywords must be strings"), value));
            }
        }

        return new CallArguments(positional, named);
    }
}
