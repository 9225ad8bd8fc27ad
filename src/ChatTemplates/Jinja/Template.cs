using Peft.ChatTemplates.Jinja.Evaluation;
using Peft.ChatTemplates.Jinja.Filters;
using Peft.ChatTemplates.Jinja.Globals;
using Peft.ChatTemplates.Jinja.Lexing;
using Peft.ChatTemplates.Jinja.Parsing;
using Peft.ChatTemplates.Jinja.Runtime;
using Peft.ChatTemplates.Jinja.Syntax;
using Peft.ChatTemplates.Jinja.Tests;

namespace Peft.ChatTemplates.Jinja;

/// <summary>
/// A compiled template: parsed once, rendered any number of times (concurrently: each render has its own frames).
/// Behaves as jinja2's ImmutableSandboxedEnvironment with the loopcontrols extension, configured by
/// <see cref="JinjaOptions"/>, with transformers' tojson filter and raise_exception/strftime_now globals.
/// </summary>
internal sealed class Template
{
    private readonly IReadOnlyList<Stmt> _body;

    private Template(IReadOnlyList<Stmt> body) => _body = body;

    /// <exception cref="TemplateError">The source does not parse; the error names the line.</exception>
    public static Template Compile(string source, JinjaOptions options)
    {
        var tokens = Lexer.Tokenize(source, options);
        return new Template(Parser.Parse(tokens, FilterRegistry.Contains, TestRegistry.Contains));
    }

    /// <summary>Renders with these variables (Python values: see <see cref="Py"/>) over the global functions.</summary>
    /// <exception cref="TemplateError">Rendering failed; the error names the line.</exception>
    public string Render(IEnumerable<KeyValuePair<string, object?>> variables, TimeProvider clock, long maxSteps = Renderer.MaxSteps)
    {
        var globals = new Frame(null);
        foreach (var (name, value) in GlobalFunctions.Create(clock))
        {
            globals.Set(name, value);
        }

        var frame = globals.Child();
        foreach (var (name, value) in variables)
        {
            frame.Set(name, value);
        }

        return new Renderer(maxSteps).Render(_body, frame);
    }
}
