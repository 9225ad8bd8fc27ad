using System.Globalization;
using System.Text;

namespace Peft.LoadTests.Reporting;

/// <summary>A GitHub-flavoured markdown table; cells are escaped, numbers right-aligned.</summary>
internal sealed class MarkdownTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];
    private readonly bool[] _numeric = new bool[headers.Length];

    public int RowCount => _rows.Count;

    public MarkdownTable Row(params object?[] cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Length != headers.Length) throw new ArgumentException($"a row of {cells.Length} cells in a table of {headers.Length} columns");
        for (int i = 0; i < cells.Length; i++)
            if (cells[i] is double or float or int or long) _numeric[i] = true;
        _rows.Add(cells.Select(Format).ToArray());
        return this;
    }

    public override string ToString()
    {
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", headers.Select(Escape)).AppendLine(" |");
        sb.Append('|').AppendJoin('|', _numeric.Select(n => n ? "---:" : "---")).AppendLine("|");
        foreach (var row in _rows) sb.Append("| ").AppendJoin(" | ", row).AppendLine(" |");
        return sb.ToString();
    }

    /// <summary>Numbers with three significant decimals at most; NaN as an em dash.</summary>
    public static string Format(object? value) => value switch
    {
        null => "",
        double d when double.IsNaN(d) => "—",
        double d => Number(d),
        float f => Number(f),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => Escape(value.ToString() ?? ""),
    };

    private static string Number(double d)
    {
        double abs = Math.Abs(d);
        string format = abs >= 100 ? "0" : abs >= 10 ? "0.0" : abs >= 1 ? "0.00" : "0.000";
        return d.ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
