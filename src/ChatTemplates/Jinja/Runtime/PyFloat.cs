using System.Globalization;
using System.Numerics;
using System.Text;

namespace Peft.ChatTemplates.Jinja.Runtime;

/// <summary>Python's float formatting and rounding, which differ from .NET's in notation and in ties.</summary>
internal static class PyFloat
{
    /// <summary>
    /// <c>repr(float)</c>: the shortest digits that round-trip, in fixed notation when the decimal exponent is in
    /// [-4, 16) and scientific otherwise ("1e+16", "1e-05"), always with a fraction or exponent ("5.0").
    /// </summary>
    public static string Repr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var sign = double.IsNegative(value) ? "-" : "";
        if (value == 0)
        {
            return sign + "0.0";
        }

        var (digits, point) = ShortestDigits(Math.Abs(value));
        var exponent = point - 1;
        var builder = new StringBuilder(sign);
        if (exponent is >= -4 and < 16)
        {
            if (point <= 0)
            {
                builder.Append("0.").Append('0', -point).Append(digits);
            }
            else if (point >= digits.Length)
            {
                builder.Append(digits).Append('0', point - digits.Length).Append(".0");
            }
            else
            {
                builder.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
            }

            return builder.ToString();
        }

        builder.Append(digits[0]);
        if (digits.Length > 1)
        {
            builder.Append('.').Append(digits, 1, digits.Length - 1);
        }

        builder.Append(exponent < 0 ? "e-" : "e+")
            .Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        return builder.ToString();
    }

    /// <summary>The shortest round-trip significant digits of a positive finite value, and where the point goes.</summary>
    private static (string Digits, int Point) ShortestDigits(double value)
    {
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var exponent = 0;
        var e = text.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            exponent = int.Parse(text.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            text = text[..e];
        }

        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var integerPart = dot >= 0 ? text[..dot] : text;
        var digits = integerPart + (dot >= 0 ? text[(dot + 1)..] : "");
        var point = integerPart.Length + exponent;
        var leading = 0;
        while (leading < digits.Length - 1 && digits[leading] == '0')
        {
            leading++;
        }

        digits = digits[leading..].TrimEnd('0');
        return (digits.Length == 0 ? "0" : digits, point - leading);
    }

    /// <summary>
    /// Python's <c>round(x, n)</c> for floats: the exact binary value rounded to n decimals with ties to even, then
    /// read back as the nearest double.
    /// </summary>
    public static double Round(double value, int digits)
    {
        if (double.IsNaN(value) || double.IsInfinity(value) || value == 0)
        {
            return value;
        }

        var scaled = ScaledRound(value, digits);
        var text = string.Create(CultureInfo.InvariantCulture, $"{scaled}e{-digits}");
        var rounded = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsNegative(value) ? -rounded : rounded;
    }

    /// <summary>|value| × 10^shift rounded to an integer with ties to even, computed exactly.</summary>
    public static BigInteger ScaledRound(double value, int shift)
    {
        var bits = BitConverter.DoubleToInt64Bits(Math.Abs(value));
        var exponentBits = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        int binaryExponent;
        if (exponentBits == 0)
        {
            binaryExponent = -1074;
        }
        else
        {
            mantissa |= 1L << 52;
            binaryExponent = exponentBits - 1075;
        }

        var numerator = new BigInteger(mantissa);
        var denominator = BigInteger.One;
        if (binaryExponent >= 0)
        {
            numerator <<= binaryExponent;
        }
        else
        {
            denominator <<= -binaryExponent;
        }

        if (shift >= 0)
        {
            numerator *= BigInteger.Pow(10, shift);
        }
        else
        {
            denominator *= BigInteger.Pow(10, -shift);
        }

        var quotient = BigInteger.DivRem(numerator, denominator, out var remainder);
        var twice = remainder * 2;
        if (twice > denominator || (twice == denominator && !quotient.IsEven))
        {
            quotient += 1;
        }

        return quotient;
    }

    /// <summary><c>'%.{precision}f' % value</c>: fixed notation, correctly rounded.</summary>
    public static string FormatFixed(double value, int precision)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return Repr(value);
        }

        var digits = ScaledRound(value, precision).ToString(CultureInfo.InvariantCulture).PadLeft(precision + 1, '0');
        var sign = double.IsNegative(value) ? "-" : "";
        return precision == 0
            ? sign + digits
            : sign + digits[..^precision] + "." + digits[^precision..];
    }

    /// <summary><c>'%.{precision}e' % value</c>: d.ddde±XX, correctly rounded.</summary>
    public static string FormatExponent(double value, int precision, bool upper)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return upper ? Repr(value).ToUpperInvariant() : Repr(value);
        }

        var (digits, exponent) = SignificantDigits(value, precision + 1);
        var mantissa = precision == 0 ? digits : digits[..1] + "." + digits[1..];
        var sign = double.IsNegative(value) ? "-" : "";
        var e = upper ? "E" : "e";
        var exponentText = Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        return $"{sign}{mantissa}{e}{(exponent < 0 ? '-' : '+')}{exponentText}";
    }

    /// <summary><c>'%.{precision}g' % value</c>: the shorter of fixed and scientific, trailing zeros removed.</summary>
    public static string FormatGeneral(double value, int precision, bool upper, bool keepZeros)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            return upper ? Repr(value).ToUpperInvariant() : Repr(value);
        }

        precision = Math.Max(precision, 1);
        var exponent = value == 0 ? 0 : SignificantDigits(value, precision).Exponent;
        var text = exponent >= -4 && exponent < precision
            ? FormatFixed(value, precision - 1 - exponent)
            : FormatExponent(value, precision - 1, upper);
        if (keepZeros)
        {
            return text;
        }

        var e = text.IndexOfAny(['e', 'E']);
        var mantissa = e >= 0 ? text[..e] : text;
        if (mantissa.Contains('.', StringComparison.Ordinal))
        {
            mantissa = mantissa.TrimEnd('0').TrimEnd('.');
        }

        return e >= 0 ? mantissa + text[e..] : mantissa;
    }

    /// <summary>The first <paramref name="count"/> significant digits of |value|, rounded, and the decimal exponent.</summary>
    private static (string Digits, int Exponent) SignificantDigits(double value, int count)
    {
        if (value == 0)
        {
            return (new string('0', count), 0);
        }

        var exponent = (int)Math.Floor(Math.Log10(Math.Abs(value)));
        while (true)
        {
            var digits = ScaledRound(value, count - 1 - exponent).ToString(CultureInfo.InvariantCulture);
            if (digits.Length > count)
            {
                exponent++;
                continue;
            }

            if (digits.Length < count)
            {
                exponent--;
                continue;
            }

            return (digits, exponent);
        }
    }
}
