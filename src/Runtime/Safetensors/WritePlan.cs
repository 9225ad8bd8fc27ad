using System.Text;
using TorchSharp;

namespace Peft.Runtime.Safetensors;

/// <summary>
/// Decides the layout of a file to write: validates names and dtypes, orders tensors as the reference writer does
/// (descending dtype alignment, then name as UTF-8 bytes) and assigns consecutive byte ranges.
/// </summary>
/// <remarks>
/// Because every element size is a power of two and larger ones come first, and the header is padded to a multiple
/// of 8, every tensor starts aligned to its element size. The order depends only on names and dtypes, so the same
/// tensors always give the same bytes, whatever order they were enumerated in.
/// </remarks>
internal static class WritePlan
{
    // Names must round-trip through UTF-8: a lone surrogate would be silently replaced by U+FFFD otherwise.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static List<PlannedTensor> Create(IEnumerable<KeyValuePair<string, torch.Tensor>> tensors)
    {
        var planned = new List<PlannedTensor>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (string.IsNullOrEmpty(name))
                throw new ArgumentException("a tensor name is empty", nameof(tensors));
            if (name == HeaderParser.MetadataKey)
                throw new ArgumentException($"'{HeaderParser.MetadataKey}' is reserved for metadata and cannot name a tensor", nameof(tensors));
            if (!names.Add(name))
                throw new ArgumentException($"tensor '{name}' is given twice", nameof(tensors));
            ArgumentNullException.ThrowIfNull(tensor, $"{nameof(tensors)}['{name}']");
            if (!SafetensorsDtypes.TryFromScalarType(tensor.dtype, out var dtype))
                throw new ArgumentException($"tensor '{name}' is {tensor.dtype}, which safetensors cannot store", nameof(tensors));

            byte[] utf8Name;
            try
            {
                utf8Name = StrictUtf8.GetBytes(name);
            }
            catch (EncoderFallbackException e)
            {
                throw new ArgumentException($"tensor name '{name}' is not valid Unicode", nameof(tensors), e);
            }
            planned.Add(new PlannedTensor(name, utf8Name, dtype.Value, tensor.shape, 0, 0, tensor));
        }

        planned.Sort((a, b) => b.Dtype != a.Dtype
            ? b.Dtype.CompareTo(a.Dtype)
            : a.Utf8Name.AsSpan().SequenceCompareTo(b.Utf8Name));

        long offset = 0;
        for (int i = 0; i < planned.Count; i++)
        {
            long bytes = checked(planned[i].Shape.Aggregate(1L, (n, d) => n * d) * planned[i].Dtype.ElementSize());
            planned[i] = planned[i] with { Begin = offset, End = offset + bytes };
            offset += bytes;
        }
        return planned;
    }
}
