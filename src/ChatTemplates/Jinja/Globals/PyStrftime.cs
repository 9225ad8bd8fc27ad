using System.Globalization;
using System.Text;

namespace Peft.ChatTemplates.Jinja.Globals;

/// <summary>
/// Python's <c>datetime.strftime</c> in the C locale (what transformers' <c>strftime_now</c> calls), including
/// glibc's "%-d" form without zero padding that Linux servers accept.
/// </summary>
internal static class PyStrftime
{
    public static string Format(DateTime time, string format)
    {
        var builder = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 >= format.Length)
            {
                builder.Append(format[i]);
                continue;
            }

            var unpadded = format[i + 1] == '-' && i + 2 < format.Length;
            var directive = format[unpadded ? i + 2 : i + 1];
            i += unpadded ? 2 : 1;
            string Number(int value, int width) =>
                unpadded ? value.ToString(culture) : value.ToString(new string('0', width), culture);
            builder.Append(directive switch
            {
                'a' => time.ToString("ddd", culture),
                'A' => time.ToString("dddd", culture),
                'b' or 'h' => time.ToString("MMM", culture),
                'B' => time.ToString("MMMM", culture),
                'c' => time.ToString("ddd MMM ", culture) + time.Day.ToString(culture).PadLeft(2) + time.ToString(" HH:mm:ss yyyy", culture),
                'd' => Number(time.Day, 2),
                'e' => time.Day.ToString(culture).PadLeft(2),
                'f' => (time.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", culture),
                'H' => Number(time.Hour, 2),
                'I' => Number(time.Hour % 12 == 0 ? 12 : time.Hour % 12, 2),
                'j' => Number(time.DayOfYear, 3),
                'm' => Number(time.Month, 2),
                'M' => Number(time.Minute, 2),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'S' => Number(time.Second, 2),
                'u' => ((int)time.DayOfWeek == 0 ? 7 : (int)time.DayOfWeek).ToString(culture),
                'w' => ((int)time.DayOfWeek).ToString(culture),
                'x' => time.ToString("MM/dd/yy", culture),
                'X' => time.ToString("HH:mm:ss", culture),
                'y' => Number(time.Year % 100, 2),
                'Y' => time.Year.ToString(culture),
                'z' => "",
                'Z' => "",
                'D' => time.ToString("MM/dd/yy", culture),
                'F' => time.ToString("yyyy-MM-dd", culture),
                'T' or 'r' => directive == 'T' ? time.ToString("HH:mm:ss", culture) : time.ToString("hh:mm:ss tt", culture),
                'R' => time.ToString("HH:mm", culture),
                'n' => "\n",
                't' => "\t",
                '%' => "%",
                _ => "%" + (unpadded ? "-" : "") + directive,
            });
        }

        return builder.ToString();
    }
}
