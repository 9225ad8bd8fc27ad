using System.Globalization;

namespace Peft.LoadTests.Commands;

/// <summary>Comma-separated option values.</summary>
internal static class ListOption
{
    public static int[] Ints(string text) =>
        [.. Split(text).Select(v => int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture))];

    public static double[] Doubles(string text) =>
        [.. Split(text).Select(v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture))];

    public static string[] Split(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
