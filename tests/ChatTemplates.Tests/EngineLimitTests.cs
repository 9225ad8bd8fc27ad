using Microsoft.Extensions.Time.Testing;
using Peft.ChatTemplates.Jinja;

namespace Peft.ChatTemplates.Tests;

/// <summary>
/// A template runs on the server's threads: whatever it does, it must end in a template error, never a stack
/// overflow, an endless loop or an allocation that takes the process down.
/// </summary>
public sealed class EngineLimitTests
{
    [Fact]
    public void Endless_macro_recursion_fails_as_a_template_error()
    {
        var error = Render("{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}");
        Assert.Contains("maximum recursion depth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Runaway_loops_stop_at_the_step_budget()
    {
        var template = Template.Compile("{% for i in range(300) %}{% for j in range(300) %}{% endfor %}{% endfor %}", JinjaOptions.ChatTemplate);
        Assert.Equal("", template.Render([], new FakeTimeProvider(), maxSteps: 300 * 301));
        var error = Assert.Throws<TemplateError>(() => template.Render([], new FakeTimeProvider(), maxSteps: 300 * 300));
        Assert.Equal("template exceeded 90000 loop iterations and macro calls in one render", error.Message);
    }

    [Fact]
    public void Strings_cannot_grow_without_bound()
    {
        var error = Render("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}");
        Assert.Equal(TemplateErrorKind.Overflow, error.Kind);
    }

    [Fact]
    public void String_repetition_cannot_exhaust_memory()
    {
        Assert.Equal(TemplateErrorKind.Overflow, Render("{{ 'x' * 10000000000 }}").Kind);
    }

    [Fact]
    public void Deeply_nested_source_fails_to_parse_instead_of_overflowing_the_stack()
    {
        var source = "{{ " + new string('(', 50_000) + "1" + new string(')', 50_000) + " }}";
        var error = Assert.Throws<TemplateError>(() => Template.Compile(source, JinjaOptions.ChatTemplate));
        Assert.Equal(TemplateErrorKind.Syntax, error.Kind);
    }

    [Fact]
    public void Integer_overflow_is_an_error_not_a_wrapped_value()
    {
        Assert.Equal(TemplateErrorKind.Overflow, Render("{{ 9223372036854775807 + 1 }}").Kind);
    }

    private static TemplateError Render(string source)
    {
        var template = Template.Compile(source, JinjaOptions.ChatTemplate);
        return Assert.Throws<TemplateError>(() => template.Render([], new FakeTimeProvider()));
    }
}
