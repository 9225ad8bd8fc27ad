using System.Buffers.Binary;
using System.Text;

namespace Peft.Runtime.Tests.Safetensors;

/// <summary>
/// Hand-crafted files, byte by byte, independent of the writer under test: valid ones in unusual shapes (reversed
/// entry order) and every kind of broken one.
/// </summary>
internal static class RawSafetensors
{
    /// <summary>Prefix (the header's real length unless <paramref name="declaredHeaderLength"/>), header, data.</summary>
    public static void Write(string path, string header, byte[] data, ulong? declaredHeaderLength = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declaredHeaderLength ?? (ulong)json.Length);
        json.CopyTo(bytes, 8);
        data.CopyTo(bytes, 8 + json.Length);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>One header entry: <c>"name":{"dtype":..,"shape":..,"data_offsets":[b,e]}</c>.</summary>
    public static string Entry(string name, string dtype, string shape, long begin, long end)
        => $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":{shape},\"data_offsets\":[{begin},{end}]}}";

    public static string Header(params string[] entries) => "{" + string.Join(",", entries) + "}";

    public static byte[] Floats(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }

    public static byte[] UInt16s(params ushort[] values)
    {
        var bytes = new byte[values.Length * 2];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), values[i]);
        return bytes;
    }
}
