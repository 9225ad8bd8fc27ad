using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using TorchSharp;

namespace Peft.Runtime.Safetensors;

/// <summary>
/// A model directory's weights: <c>model.safetensors</c>, or <c>model.safetensors.index.json</c> and its shards,
/// behind one <see cref="ITensorSource"/>. <see cref="Open"/> validates everything up front: every shard's header,
/// every shard named by the index exists and holds exactly the tensors the index maps to it, and no tensor is in
/// two shards. Pickle weights (<c>pytorch_model.bin</c> and friends) are refused, never opened.
/// </summary>
public sealed class SafetensorsCheckpoint : ITensorSource, IDisposable
{
    private readonly SafetensorsFile[] _files;
    private readonly FrozenDictionary<string, SafetensorsFile> _fileByTensor;

    private SafetensorsCheckpoint(
        string directory, IReadOnlyDictionary<string, string> metadata, SafetensorsFile[] files,
        FrozenDictionary<string, SafetensorsFile> fileByTensor)
    {
        Directory = directory;
        Metadata = metadata;
        _files = files;
        _fileByTensor = fileByTensor;
        Names = [.. fileByTensor.Keys.Order(StringComparer.Ordinal)];
    }

    public string Directory { get; }

    /// <summary>
    /// The single file's <c>__metadata__</c>; for a sharded checkpoint the index's <c>metadata</c> (non-string values,
    /// such as HF's numeric <c>total_size</c>, as their JSON text).
    /// </summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IReadOnlyList<string> Names { get; }

    /// <summary>The safetensors files, in shard-name order.</summary>
    public IReadOnlyList<string> Files => [.. _files.Select(f => f.Path)];

    public static SafetensorsCheckpoint Open(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var (singlePath, indexPath) = CheckpointFiles.Locate(directory);
        if (singlePath is not null)
        {
            var file = SafetensorsFile.Open(singlePath);
            return new SafetensorsCheckpoint(directory, file.Metadata, [file],
                file.Names.ToFrozenDictionary(n => n, _ => file, StringComparer.Ordinal));
        }
        return OpenSharded(directory, indexPath!);
    }

    public bool TryGetInfo(string name, [MaybeNullWhen(false)] out TensorInfo info)
    {
        info = null;
        return _fileByTensor.TryGetValue(name, out var file) && file.TryGetInfo(name, out info);
    }

    /// <inheritdoc/>
    public torch.Tensor Load(string name, torch.ScalarType? dtype = null, torch.Device? device = null) => FileOf(name).Load(name, dtype, device);

    /// <summary>See <see cref="SafetensorsFile.OpenRows"/>.</summary>
    internal StoredRows? OpenRows(string name) => FileOf(name).OpenRows(name);

    private SafetensorsFile FileOf(string name) => _fileByTensor.TryGetValue(name, out var file)
        ? file
        : throw new KeyNotFoundException($"{Directory}: no tensor named '{name}' among its {_fileByTensor.Count} tensors");

    public void Dispose()
    {
        foreach (var file in _files)
            file.Dispose();
    }

    public override string ToString() => $"{Directory} ({_fileByTensor.Count} tensors in {_files.Length} files)";

    private static SafetensorsCheckpoint OpenSharded(string directory, string indexPath)
    {
        var index = CheckpointIndex.Read(indexPath);
        var shardNames = index.WeightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var opened = new List<SafetensorsFile>();
        try
        {
            foreach (string shardName in shardNames)
            {
                string shardPath = Path.Combine(directory, shardName);
                if (!File.Exists(shardPath))
                {
                    int count = index.WeightMap.Values.Count(v => v == shardName);
                    string example = index.WeightMap.First(p => p.Value == shardName).Key;
                    throw new SafetensorsFormatException(indexPath, null,
                        $"maps {count} tensors (e.g. '{example}') to shard '{shardName}', which does not exist in {directory}");
                }
                opened.Add(SafetensorsFile.Open(shardPath));
            }

            var fileByTensor = MapTensorsToShards(indexPath, index, opened);
            return new SafetensorsCheckpoint(directory, index.Metadata, [.. opened], fileByTensor);
        }
        catch
        {
            foreach (var file in opened)
                file.Dispose();
            throw;
        }
    }

    /// <summary>Every tensor in exactly one shard, and that shard the one the index names.</summary>
    private static FrozenDictionary<string, SafetensorsFile> MapTensorsToShards(
        string indexPath, CheckpointIndex index, List<SafetensorsFile> shards)
    {
        var fileByTensor = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        foreach (var shard in shards)
        {
            foreach (string name in shard.Names)
            {
                if (!fileByTensor.TryAdd(name, shard))
                    throw new SafetensorsFormatException(indexPath, name,
                        $"is stored in two shards, '{Path.GetFileName(fileByTensor[name].Path)}' and '{Path.GetFileName(shard.Path)}'");
            }
        }

        foreach (var (name, shard) in fileByTensor)
        {
            string shardName = Path.GetFileName(shard.Path);
            if (!index.WeightMap.TryGetValue(name, out string? mapped))
                throw new SafetensorsFormatException(indexPath, name,
                    $"is stored in shard '{shardName}' but 'weight_map' does not list it");
            if (mapped != shardName)
                throw new SafetensorsFormatException(indexPath, name,
                    $"is stored in shard '{shardName}' but 'weight_map' maps it to '{mapped}'");
        }

        foreach (var (name, shardName) in index.WeightMap)
        {
            if (!fileByTensor.ContainsKey(name))
                throw new SafetensorsFormatException(indexPath, name,
                    $"is mapped to shard '{shardName}', but that shard has no such tensor");
        }
        return fileByTensor.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
