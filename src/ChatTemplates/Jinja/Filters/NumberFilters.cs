using System.Globalization;
using Peft.ChatTemplates.Jinja.Runtime;

namespace Peft.ChatTemplates.Jinja.Filters;

/// <summary>abs, int, float and round, with Python's conversions.</summary>
internal static class NumberFilters
{
    public static void Register(Dictionary<string, Filter> filters)
    {
        filters["abs"] = (v, a) =>
        {
            a.Bind("abs");
            return v switch
            {
                long or bool => (object)Math.Abs(Py.AsLong(v)),
                double d => Math.Abs(d),
                _ => throw TemplateError.TypeError($"bad operand type for abs(): '{Py.TypeName(v)}'"),
            };
        };
        filters["int"] = ToInt;
        filters["float"] = (v, a) =>
        {
            var fallback = a.Bind("float", "default").Get(0, 0.0);
            return TryFloat(v, out var result) ? result : fallback;
        };
        filters["round"] = Round;
    }

    /// <summary>int(value, default=0, base=10): strings parse in the base, else through float ("42.23" → 42).</summary>
    private static object? ToInt(object? value, CallArguments arguments)
    {
        var b = arguments.Bind("int", "default", "base");
        var fallback = b.Get(0, 0L);
        var radix = (int)Py.Index(b.Get(1, 10L), "base");
        switch (Py.Plain(value))
        {
            case Undefined u:
                throw u.Fail();
            case long or bool:
                return Py.AsLong(value);
            case double d:
                return Truncate(d, fallback);
            case string s when TryParseInteger(s, radix, out var parsed):
                return parsed;
        }

        return TryFloat(value, out var number) ? Truncate(number, fallback) : fallback;
    }

    private static object? Truncate(double value, object? fallback)
    {
        if (double.IsNaN(value))
        {
            return fallback;
        }

        if (double.IsInfinity(value) || Math.Abs(value) >= 9.2e18)
        {
            throw new TemplateError(TemplateErrorKind.Overflow, "cannot convert float infinity to integer");
        }

        return (long)Math.Truncate(value);
    }

    private static bool TryParseInteger(string text, int radix, out long value)
    {
        value = 0;
        var s = PyStrings.Strip(text, null, left: true, right: true).Replace("_", "", StringComparison.Ordinal);
        var negative = s.StartsWith('-');
        if (s.StartsWith('-') || s.StartsWith('+'))
        {
            s = s[1..];
        }

        var prefix = radix switch { 16 => "0x", 8 => "0o", 2 => "0b", _ => null };
        if (prefix is not null && s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            s = s[2..];
        }

        if (s.Length == 0 || radix is not (2 or 8 or 10 or 16))
        {
            return false;
        }

        try
        {
            value = radix == 10
                ? long.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture)
                : Convert.ToInt64(s, radix);
        }
        catch (Exception error) when (error is FormatException or OverflowException or ArgumentException)
        {
            return false;
        }

        value = negative ? -value : value;
        return true;
    }

    /// <summary>Python's float(value): numbers, and strings such as " 1.5 ", "1e3", "inf", "nan".</summary>
    public static bool TryFloat(object? value, out double result)
    {
        result = 0;
        switch (Py.Plain(value))
        {
            case Undefined u:
                throw u.Fail();
            case long or bool or double:
                result = Py.AsDouble(value);
                return true;
            case string s:
                var text = PyStrings.Strip(s, null, left: true, right: true).Replace("_", "", StringComparison.Ordinal);
                var lower = text.ToLowerInvariant().TrimStart('+');
                if (lower is "inf" or "infinity" or "-inf" or "-infinity" or "nan" or "-nan")
                {
                    result = lower.Contains("nan", StringComparison.Ordinal) ? double.NaN
                        : lower.StartsWith('-') ? double.NegativeInfinity : double.PositiveInfinity;
                    return true;
                }

                return text.Length > 0 && !text.Contains(',', StringComparison.Ordinal)
                    && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out result);
            default:
                return false;
        }
    }

    /// <summary>round(value, precision=0, method='common'): common is Python's round (ties to even).</summary>
    private static object? Round(object? value, CallArguments arguments)
    {
        var b = arguments.Bind("round", "precision", "method");
        var precision = (int)Py.Index(b.Get(0, 0L), "precision");
        var method = Py.Str(b.Get(1, "common"));
        if (method is not ("common" or "ceil" or "floor"))
        {
            throw new TemplateError(TemplateErrorKind.Runtime, "method must be common, ceil or floor");
        }

        if (!Py.IsNumber(value))
        {
            throw TemplateError.TypeError($"type {Py.TypeName(value)} doesn't define __round__ method");
        }

        if (method == "common")
        {
            return Py.IsIntegral(value) ? (object)Py.AsLong(value) : PyFloat.Round(Py.AsDouble(value), precision);
        }

        var scale = Math.Pow(10, precision);
        var scaled = Py.AsDouble(value) * scale;
        return (method == "ceil" ? Math.Ceiling(scaled) : Math.Floor(scaled)) / scale;
    }
}
