using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Unicode;

namespace Peft.Runtime.Safetensors;

/// <summary>
/// Turns header JSON into validated entries: <c>__metadata__</c> as string pairs, and per tensor a known dtype, a
/// non-negative shape, and offsets whose span equals the shape's byte size. How the entries sit together in the data
/// region is <see cref="DataLayout"/>'s concern.
/// </summary>
/// <remarks>
/// Stricter than the reference reader in three ways, each because a silently accepted file could be a wrong model:
/// a tensor entry with a field other than dtype/shape/data_offsets, a name that appears twice (JSON parsers keep
/// either the first or the last), and a BOOL byte other than 0 or 1 (checked on load) are refused.
/// </remarks>
internal static class HeaderParser
{
    public const string MetadataKey = "__metadata__";

    private const string DtypeField = "dtype";
    private const string ShapeField = "shape";
    private const string OffsetsField = "data_offsets";

    public static (FrozenDictionary<string, string> Metadata, List<TensorInfo> Tensors) Parse(string path, byte[] header)
    {
        // The spec requires the header to start with '{' (trailing spaces pad it); anything else is not a header.
        if (header.Length == 0 || header[0] != (byte)'{')
            throw new SafetensorsFormatException(path, null,
                $"header ({header.Length} bytes) does not start with '{{': not a safetensors file, or corrupt");
        // JsonDocument does not reject invalid UTF-8 inside strings until they are read; check it all up front.
        if (!Utf8.IsValid(header))
            throw new SafetensorsFormatException(path, null, "header is not valid UTF-8");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(path, null, $"header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SafetensorsFormatException(path, null, $"header must be a JSON object, found {Describe(root)}");

            var metadata = FrozenDictionary<string, string>.Empty;
            var tensors = new List<TensorInfo>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new SafetensorsFormatException(path, property.Name == MetadataKey ? null : property.Name,
                        property.Name == MetadataKey ? $"header has '{MetadataKey}' twice" : "appears twice in the header");
                if (property.Name == MetadataKey)
                    metadata = ParseMetadata(path, property.Value);
                else
                    tensors.Add(ParseTensor(path, property.Name, property.Value));
            }
            return (metadata, tensors);
        }
    }

    private static FrozenDictionary<string, string> ParseMetadata(string path, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
            return FrozenDictionary<string, string>.Empty;
        if (value.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, null,
                $"'{MetadataKey}' must be an object of string values, found {Describe(value)}");

        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in value.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.String)
                throw new SafetensorsFormatException(path, null,
                    $"'{MetadataKey}' entry '{entry.Name}' must be a string, found {Describe(entry.Value)}");
            if (!pairs.TryAdd(entry.Name, entry.Value.GetString()!))
                throw new SafetensorsFormatException(path, null, $"'{MetadataKey}' has key '{entry.Name}' twice");
        }
        return pairs.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static TensorInfo ParseTensor(string path, string name, JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object)
            throw new SafetensorsFormatException(path, name,
                $"must be an object with {DtypeField}, {ShapeField} and {OffsetsField}, found {Describe(entry)}");

        JsonElement? dtypeJson = null, shapeJson = null, offsetsJson = null;
        foreach (var field in entry.EnumerateObject())
        {
            switch (field.Name)
            {
                case DtypeField: dtypeJson = field.Value; break;
                case ShapeField: shapeJson = field.Value; break;
                case OffsetsField: offsetsJson = field.Value; break;
                default:
                    throw new SafetensorsFormatException(path, name,
                        $"has unknown field '{field.Name}' (expected {DtypeField}, {ShapeField}, {OffsetsField})");
            }
        }

        var dtype = ParseDtype(path, name, dtypeJson ?? throw Missing(path, name, DtypeField));
        var shape = ParseShape(path, name, shapeJson ?? throw Missing(path, name, ShapeField));
        var (begin, end) = ParseOffsets(path, name, offsetsJson ?? throw Missing(path, name, OffsetsField));

        long elements, bytes;
        try
        {
            elements = 1;
            foreach (long dim in shape)
                elements = checked(elements * dim);
            bytes = checked(elements * dtype.ElementSize());
        }
        catch (OverflowException)
        {
            throw new SafetensorsFormatException(path, name,
                $"has shape {FormatShape(shape)} of {dtype}, more bytes than any file can hold");
        }

        if (end - begin != bytes)
            throw new SafetensorsFormatException(path, name,
                $"is {dtype} {FormatShape(shape)} = {bytes} bytes, but its data_offsets [{begin}, {end}) span {end - begin} bytes");

        return new TensorInfo(name, dtype, shape, elements, begin, end);
    }

    private static SafetensorsDtype ParseDtype(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.String)
            throw new SafetensorsFormatException(path, name, $"has {DtypeField} {Describe(value)}, expected a string");
        string text = value.GetString()!;
        return SafetensorsDtypes.TryParse(text, out var dtype)
            ? dtype
            : throw new SafetensorsFormatException(path, name,
                $"has unknown dtype '{text}' (known: {SafetensorsDtypes.KnownNames})");
    }

    private static ImmutableArray<long> ParseShape(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
            throw Invalid();
        var dims = ImmutableArray.CreateBuilder<long>(value.GetArrayLength());
        foreach (var item in value.EnumerateArray())
            dims.Add(TryGetNonNegative(item, out long dim) ? dim : throw Invalid());
        return dims.MoveToImmutable();

        SafetensorsFormatException Invalid() => new(path, name,
            $"has {ShapeField} {value.GetRawText()}, expected an array of non-negative integers");
    }

    private static (long Begin, long End) ParseOffsets(string path, string name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Array && value.GetArrayLength() == 2
            && TryGetNonNegative(value[0], out long begin) && TryGetNonNegative(value[1], out long end) && begin <= end)
            return (begin, end);
        throw new SafetensorsFormatException(path, name,
            $"has {OffsetsField} {value.GetRawText()}, expected [begin, end] with 0 <= begin <= end");
    }

    /// <summary>A JSON integer in [0, long.MaxValue]; 2.0, 1e3, -1 and 2^64 are not.</summary>
    private static bool TryGetNonNegative(JsonElement value, out long number)
    {
        number = 0;
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out number) && number >= 0;
    }

    private static SafetensorsFormatException Missing(string path, string name, string field)
        => new(path, name, $"has no '{field}' field");

    internal static string FormatShape(IEnumerable<long> shape) => $"[{string.Join(", ", shape)}]";

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string {value.GetRawText()}",
        _ => value.GetRawText(),
    };
}
