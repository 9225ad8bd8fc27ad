using System.Runtime.CompilerServices;
using System.Text;
using Peft.ChatTemplates.Jinja.Syntax;

namespace Peft.ChatTemplates.Jinja.Evaluation;

/// <summary>
/// Executes a parsed template against a frame of variables. One renderer serves one render call; it counts the
/// work done so that a template cannot loop or recurse without bound, and it turns any failure into a
/// <see cref="TemplateError"/> carrying the template line where it happened.
/// </summary>
internal sealed partial class Renderer(long maxSteps = Renderer.MaxSteps)
{
    /// <summary>
    /// Loop iterations plus macro calls one render may perform: a runaway template fails after about two seconds of
    /// work instead of holding a server thread; real chat templates stay orders of magnitude below.
    /// </summary>
    public const long MaxSteps = 2_000_000;

    /// <summary>Nested macro calls, about where Python's recursion limit stops jinja2.</summary>
    public const int MaxCallDepth = 500;

    private long _steps;
    private int _callDepth;

    private enum Flow
    {
        Normal,
        Break,
        Continue,
    }

    public string Render(IReadOnlyList<Stmt> body, Frame frame)
    {
        var output = new StringBuilder();
        Execute(body, frame, output);
        return output.ToString();
    }

    private Flow Execute(IReadOnlyList<Stmt> body, Frame frame, StringBuilder output)
    {
        foreach (var statement in body)
        {
            Flow flow;
            try
            {
                EnsureStack();
                flow = ExecuteOne(statement, frame, output);
            }
            catch (TemplateError error) when (error.NoteLine(statement.Line))
            {
                throw;
            }
            catch (Exception error) when (error is InvalidCastException or InvalidOperationException
                                              or ArgumentException or IndexOutOfRangeException or FormatException
                                              or NullReferenceException or KeyNotFoundException)
            {
                throw new TemplateError(TemplateErrorKind.Runtime, error.Message, statement.Line);
            }

            if (flow != Flow.Normal)
            {
                return flow;
            }
        }

        return Flow.Normal;
    }

    private Flow ExecuteOne(Stmt statement, Frame frame, StringBuilder output)
    {
        switch (statement)
        {
            case TextStmt text:
                Append(output, text.Text);
                return Flow.Normal;
            case OutputStmt print:
                Append(output, Runtime.Py.Str(Evaluate(print.Value, frame)));
                return Flow.Normal;
            case IfStmt conditional:
                return ExecuteIf(conditional, frame, output);
            case ForStmt loop:
                ExecuteFor(loop, frame, output);
                return Flow.Normal;
            case SetStmt set:
                Assign(set.Target, Evaluate(set.Value, frame), frame);
                return Flow.Normal;
            case SetBlockStmt set:
                Assign(set.Target, RenderBlock(set.Filters, set.Body, frame), frame);
                return Flow.Normal;
            case MacroStmt macro:
                frame.Set(macro.Name, new Macro(this, macro.Name, macro.Signature, macro.Body, frame));
                return Flow.Normal;
            case CallBlockStmt call:
                Append(output, Runtime.Py.Str(CallWithCaller(call, frame)));
                return Flow.Normal;
            case FilterBlockStmt filter:
                Append(output, RenderBlock(filter.Filters, filter.Body, frame));
                return Flow.Normal;
            case WithStmt with:
                ExecuteWith(with, frame, output);
                return Flow.Normal;
            case GenerationStmt generation:
                return Execute(generation.Body, frame, output);
            case BreakStmt:
                return Flow.Break;
            case ContinueStmt:
                return Flow.Continue;
            default:
                throw new TemplateError(TemplateErrorKind.Runtime, $"unsupported statement {statement.GetType().Name}");
        }
    }

    private static void Append(StringBuilder output, string text)
    {
        Runtime.Py.LimitLength(output.Length + (long)text.Length);
        output.Append(text);
    }

    /// <summary>Counts one unit of work (a loop iteration or a macro call) against the render's budget.</summary>
    internal void Step()
    {
        if (++_steps > maxSteps)
        {
            throw new TemplateError(
                TemplateErrorKind.Runtime,
                $"template exceeded {maxSteps} loop iterations and macro calls in one render");
        }
    }

    internal void EnterCall()
    {
        if (++_callDepth > MaxCallDepth)
        {
            _callDepth--;
            throw new TemplateError(TemplateErrorKind.Runtime, "maximum recursion depth exceeded in macro calls");
        }
    }

    internal void ExitCall() => _callDepth--;

    private static void EnsureStack()
    {
        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new TemplateError(TemplateErrorKind.Runtime, "maximum recursion depth exceeded");
        }
    }
}
