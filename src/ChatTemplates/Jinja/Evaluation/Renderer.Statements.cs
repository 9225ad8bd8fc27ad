using System.Text;
using Peft.ChatTemplates.Jinja.Runtime;
using Peft.ChatTemplates.Jinja.Syntax;

namespace Peft.ChatTemplates.Jinja.Evaluation;

internal sealed partial class Renderer
{
    private Flow ExecuteIf(IfStmt conditional, Frame frame, StringBuilder output)
    {
        foreach (var branch in conditional.Branches)
        {
            if (Py.Truthy(Evaluate(branch.Test, frame)))
            {
                return Execute(branch.Body, frame, output);
            }
        }

        return conditional.Otherwise is null ? Flow.Normal : Execute(conditional.Otherwise, frame, output);
    }

    /// <summary>
    /// A for loop: the <c>if</c> filter applies before loop counting (so <c>loop.length</c> counts kept items), and
    /// each iteration gets a fresh frame holding the target and <c>loop</c>.
    /// </summary>
    private void ExecuteFor(ForStmt loop, Frame frame, StringBuilder output)
    {
        var items = Py.Iterate(Evaluate(loop.Iterable, frame));
        if (loop.Condition is { } condition)
        {
            items = items.Where(item =>
            {
                var scope = frame.Child();
                Assign(loop.Target, item, scope);
                return Py.Truthy(Evaluate(condition, scope));
            });
        }

        var context = new LoopContext(items);
        var iterated = false;
        while (context.MoveNext())
        {
            Step();
            iterated = true;
            var scope = frame.Child();
            scope.Set("loop", context);
            Assign(loop.Target, context.Current, scope);
            if (Execute(loop.Body, scope, output) == Flow.Break)
            {
                break;
            }
        }

        if (!iterated && loop.Otherwise is not null)
        {
            Execute(loop.Otherwise, frame.Child(), output);
        }
    }

    private void ExecuteWith(WithStmt with, Frame frame, StringBuilder output)
    {
        var scope = frame.Child();
        foreach (var (target, value) in with.Assignments)
        {
            Assign(target, Evaluate(value, frame), scope);
        }

        Execute(with.Body, scope, output);
    }

    /// <summary>A block set's or filter block's body, rendered in its own scope and passed through its filters.</summary>
    private string RenderBlock(FilterExpr? filters, IReadOnlyList<Stmt> body, Frame frame)
    {
        var output = new StringBuilder();
        Execute(body, frame.Child(), output);
        var text = output.ToString();
        return filters is null ? text : Py.Str(ApplyFilters(filters, text, frame));
    }

    private object? CallWithCaller(CallBlockStmt call, Frame frame)
    {
        var caller = new Macro(this, "caller", call.Signature, call.Body, frame);
        return EvaluateCall(call.Call, frame, caller);
    }

    /// <summary>Binds a value to a target: a name, a tuple of targets (unpacking), or a namespace attribute.</summary>
    private static void Assign(Expr target, object? value, Frame frame)
    {
        switch (target)
        {
            case Name name:
                frame.Set(name.Identifier, value);
                break;
            case TupleExpr tuple:
                var values = Py.ToList(value);
                if (values.Count < tuple.Items.Count)
                {
                    throw TemplateError.ValueError(
                        $"not enough values to unpack (expected {tuple.Items.Count}, got {values.Count})");
                }

                if (values.Count > tuple.Items.Count)
                {
                    throw TemplateError.ValueError($"too many values to unpack (expected {tuple.Items.Count})");
                }

                for (var i = 0; i < values.Count; i++)
                {
                    Assign(tuple.Items[i], values[i], frame);
                }

                break;
            case GetAttr { Target: Name owner } attribute:
                var found = frame.TryLookup(owner.Identifier, out var holder) ? holder : null;
                if (found is not Namespace ns)
                {
                    throw new TemplateError(TemplateErrorKind.Runtime, "cannot assign attribute on non-namespace object");
                }

                ns.Attributes.Set(attribute.Attribute, value);
                break;
            default:
                throw TemplateError.Syntax($"can't assign to '{target.GetType().Name}'", target.Line);
        }
    }
}
