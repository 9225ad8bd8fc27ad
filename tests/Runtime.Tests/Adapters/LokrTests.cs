using System.Text.Json.Nodes;
using Peft.Runtime.Adapters;
using Peft.Runtime.Adapters.LoKr;
using Peft.Runtime.Tests.Fixtures;
using Peft.Runtime.Tests.Models;

namespace Peft.Runtime.Tests.Adapters;

/// <summary>LoKr's shapes and scale, where PEFT's fixtures cannot show them.</summary>
public sealed class LokrTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("peft-lokr").FullName;

    /// <summary>PEFT's factorization docstring: 256 → (16, 16), 128 → (8, 16), 127 → (1, 127), 128 with factor 4 → (4, 32).</summary>
    [Theory]
    [InlineData(256, -1, 16, 16)]
    [InlineData(128, -1, 8, 16)]
    [InlineData(127, -1, 1, 127)]
    [InlineData(128, 4, 4, 32)]
    [InlineData(64, 4, 4, 16)]
    [InlineData(96, 8, 8, 12)]
    public void Dimensions_split_as_peft_splits_them(int dimension, int factor, int m, int n) =>
        Assert.Equal((m, n), LokrMethod.Factorization(dimension, factor));

    /// <summary>PEFT 0.13 ignored α / r in LoKr's delta (the fixtures use α = r); 0.14 and later apply it, and so do we.</summary>
    [Fact]
    public void The_delta_is_scaled_by_alpha_over_r_as_current_peft_does()
    {
        var golden = MethodFixtures.Case("llama__lokr");
        string dir = Path.Combine(_dir, "lokr");
        Directory.CreateDirectory(dir);
        foreach (string file in Directory.GetFiles(golden.AdapterDirectory!)) File.Copy(file, Path.Combine(dir, Path.GetFileName(file)));
        string config = Path.Combine(dir, AdapterFiles.ConfigFile);
        var json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        json["alpha"] = 6;   // r = 2
        File.WriteAllText(config, json.ToJsonString());
        using var host = (LokrAdapter)AdapterReader.Read("lokr", dir, BaseModel.Of(ModelCache.For(golden)));
        Assert.All(host.Modules, m => Assert.Equal(3.0, m.Scale));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
