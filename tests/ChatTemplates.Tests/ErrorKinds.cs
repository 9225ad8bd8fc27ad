using Peft.ChatTemplates.Jinja;

namespace Peft.ChatTemplates.Tests;

/// <summary>Checks that our error is the same kind of failure as the Python exception jinja2 raised.</summary>
internal static class ErrorKinds
{
    public static void AssertMatches(string pythonError, TemplateError error)
    {
        var pythonType = pythonError.Split(':', 2)[0];
        var expected = pythonType switch
        {
            "TemplateSyntaxError" or "TemplateAssertionError" or "SyntaxError" => TemplateErrorKind.Syntax,
            "UndefinedError" => TemplateErrorKind.Undefined,
            "TypeError" => TemplateErrorKind.Type,
            "ValueError" => TemplateErrorKind.Value,
            "IndexError" => TemplateErrorKind.Index,
            "AttributeError" => TemplateErrorKind.Attribute,
            "ZeroDivisionError" => TemplateErrorKind.ZeroDivision,
            "OverflowError" => TemplateErrorKind.Overflow,
            "SecurityError" => TemplateErrorKind.Security,
            "TemplateError" => TemplateErrorKind.Raised,
            _ => TemplateErrorKind.Runtime,
        };
        Assert.True(
            expected == error.Kind,
            $"jinja2 raised {pythonError}; we raised {error.PythonName}: {error.Message}");
    }
}
