namespace Peft.Runtime.Validation;

/// <summary>
/// The rule every number a caller sends passes before its own range check: it must be finite. NaN compares false
/// with everything, so a range written as <c>x &lt; 0</c> lets it through, and it then fails deep inside (an
/// optimizer step, a JSON record) as a server fault. Checking finiteness first, by field name, closes that for every
/// field of every request at once; each edge (gRPC, HTTP) maps the message to its own "invalid argument".
/// </summary>
public static class FiniteNumbers
{
    /// <summary>Null when every value is finite; otherwise a message naming the first field that is not.</summary>
    public static string? Problem(params ReadOnlySpan<(string Field, double Value)> fields)
    {
        foreach (var (field, value) in fields)
            if (!double.IsFinite(value)) return $"{field} is {Describe(value)}; it must be a finite number";
        return null;
    }

    private static string Describe(double value) =>
        double.IsNaN(value) ? "NaN" : double.IsPositiveInfinity(value) ? "Infinity" : "-Infinity";
}
