using System.Globalization;
using System.Text;

namespace Peft.ChatTemplates.Jinja.Runtime;

internal static partial class Py
{
    /// <summary>Python's <c>str()</c>, which is what <c>{{ }}</c> prints.</summary>
    public static string Str(object? value) => value switch
    {
        string s => s,
        Markup m => m.Value,
        Undefined => "",
        _ => Repr(value),
    };

    /// <summary>Python's <c>repr()</c>: what a value looks like inside a printed list or dict.</summary>
    public static string Repr(object? value)
    {
        var builder = new StringBuilder();
        AppendRepr(builder, value);
        return builder.ToString();
    }

    private static void AppendRepr(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("None");
                break;
            case bool b:
                builder.Append(b ? "True" : "False");
                break;
            case long l:
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                builder.Append(PyFloat.Repr(d));
                break;
            case string s:
                PyStrings.AppendRepr(builder, s);
                break;
            case Markup markup:
                builder.Append("Markup(");
                PyStrings.AppendRepr(builder, markup.Value);
                builder.Append(')');
                break;
            case Undefined:
                builder.Append("Undefined");
                break;
            case List<object?> list:
                AppendItems(builder, "[", list, "]");
                break;
            case PyTuple tuple:
                AppendItems(builder, "(", tuple.Items, tuple.Count == 1 ? ",)" : ")");
                break;
            case PyDict dict:
                AppendDict(builder, dict);
                break;
            case Namespace ns:
                builder.Append("<Namespace ");
                AppendDict(builder, ns.Attributes);
                builder.Append('>');
                break;
            case PyRange range:
                builder.Append(CultureInfo.InvariantCulture, $"range({range.Start}, {range.Stop}");
                builder.Append(range.Step == 1 ? ")" : string.Create(CultureInfo.InvariantCulture, $", {range.Step})"));
                break;
            case DictView view:
                builder.Append(view.TypeName).Append('(');
                AppendItems(builder, "[", [.. view.Enumerate()], "]");
                builder.Append(')');
                break;
            case PyGenerator generator:
                builder.Append('<').Append(generator.TypeName).Append(" object>");
                break;
            case BoundMethod method:
                builder.Append("<built-in method ").Append(method.Name).Append(" of ")
                    .Append(TypeName(method.Self)).Append(" object>");
                break;
            case JinjaCallable callable:
                builder.Append(callable.ToString() ?? callable.Name);
                break;
            default:
                builder.Append(value.ToString());
                break;
        }
    }

    private static void AppendItems(StringBuilder builder, string open, IReadOnlyList<object?> items, string close)
    {
        builder.Append(open);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            AppendRepr(builder, items[i]);
        }

        builder.Append(close);
    }

    private static void AppendDict(StringBuilder builder, PyDict dict)
    {
        builder.Append('{');
        var first = true;
        foreach (var (key, item) in dict.Entries)
        {
            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            AppendRepr(builder, key);
            builder.Append(": ");
            AppendRepr(builder, item);
        }

        builder.Append('}');
    }
}
