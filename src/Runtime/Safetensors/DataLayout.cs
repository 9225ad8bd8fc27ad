namespace Peft.Runtime.Safetensors;

/// <summary>
/// Checks that the tensors' byte ranges tile the data region exactly: each inside the file, none overlapping, no
/// holes between them and nothing after the last (the spec allows neither holes nor trailing bytes; a hole or an
/// overlap means the header and the data disagree, so some tensor would be read from the wrong bytes).
/// </summary>
internal static class DataLayout
{
    public static void Validate(string path, IReadOnlyCollection<TensorInfo> tensors, long dataLength)
    {
        // Walk in file order, whatever order the header listed the entries in. Ties (zero-byte tensors) by name, so
        // the reported problem does not depend on the header's order either.
        long covered = 0;
        TensorInfo? previous = null;
        foreach (var tensor in tensors.OrderBy(t => t.Begin).ThenBy(t => t.End).ThenBy(t => t.Name, StringComparer.Ordinal))
        {
            if (tensor.End > dataLength)
                throw new SafetensorsFormatException(path, tensor.Name,
                    $"claims bytes [{tensor.Begin}, {tensor.End}) but the file has only {dataLength} data bytes (truncated, or the header lies about sizes)");
            if (tensor.Begin < covered)
                throw new SafetensorsFormatException(path, tensor.Name,
                    $"claims bytes [{tensor.Begin}, {tensor.End}), which overlap tensor '{previous!.Name}' at [{previous.Begin}, {previous.End})");
            if (tensor.Begin > covered)
                throw new SafetensorsFormatException(path, tensor.Name,
                    $"starts at byte {tensor.Begin}, but {(previous is null ? "the data region starts" : $"tensor '{previous.Name}' ends")} at {covered}: bytes [{covered}, {tensor.Begin}) belong to no tensor, and the format allows no holes");
            covered = tensor.End;
            previous = tensor;
        }

        if (covered != dataLength)
            throw new SafetensorsFormatException(path, null,
                $"has {dataLength} data bytes but its tensors cover only [0, {covered}): the last {dataLength - covered} bytes belong to no tensor, and the format allows none");
    }
}
