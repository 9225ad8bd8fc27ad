using Peft.Runtime.Safetensors;
using Peft.Runtime.Tests.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Safetensors;

/// <summary>Load follows TorchSharp's scope rules like a torch factory function, and leaks nothing of its own.</summary>
public sealed class TensorLifetimeTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string ManyTensorFile(int count)
    {
        string path = _dir.File("many.safetensors");
        using var scope = NewDisposeScope();
        SafetensorsWriter.Write(path, Enumerable.Range(0, count).Select(i =>
            KeyValuePair.Create($"layers.{i}.weight", full(8, 16, (float)i, i % 2 == 0 ? ScalarType.BFloat16 : ScalarType.Float32))));
        return path;
    }

    [Fact]
    public void Loading_many_tensors_inside_scopes_leaves_the_live_count_where_it_was()
    {
        OwnThread.Run(() =>
        {
            string path = ManyTensorFile(200);
            using var file = SafetensorsFile.Open(path);
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

            for (int round = 0; round < 3; round++)
            {
                foreach (string name in file.Names)
                {
                    using var scope = NewDisposeScope();
                    var stored = file.Load(name);
                    var converted = file.Load(name, ScalarType.Float32);
                    var sameType = file.Load(name, stored.dtype, CPU);
                    Assert.Equal(converted.data<float>()[0], sameType.to(ScalarType.Float32).data<float>()[0]);
                }
            }

            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        });
    }

    [Fact]
    public void Writing_many_tensors_leaves_the_live_count_where_it_was()
    {
        OwnThread.Run(() =>
        {
            using var scope = NewDisposeScope();
            var tensors = Enumerable.Range(0, 100).Select(i => KeyValuePair.Create($"t{i}", ones(4, 4).t())).ToList();
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

            SafetensorsWriter.Write(_dir.File("out.safetensors"), tensors);

            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        });
    }

    [Fact]
    public void A_tensor_loaded_inside_a_scope_dies_with_it_unless_moved_out()
    {
        using var file = SafetensorsFile.Open(ManyTensorFile(2));
        Tensor scoped, kept;

        using (var scope = NewDisposeScope())
        {
            scoped = file.Load("layers.0.weight", ScalarType.Float32);
            kept = file.Load("layers.1.weight").MoveToOuterDisposeScope();
        }

        Assert.True(scoped.IsInvalid);
        Assert.False(kept.IsInvalid);
        Assert.Equal(1f, kept.data<float>()[0]);
        kept.Dispose();
    }

    [Fact]
    public void A_tensor_loaded_outside_any_scope_belongs_to_the_caller()
    {
        OwnThread.Run(() =>
        {
            using var file = SafetensorsFile.Open(ManyTensorFile(2));
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

            var weight = file.Load("layers.0.weight", ScalarType.Float32);
            using (NewDisposeScope())
            {
                // An unrelated scope opened and closed later must not take it.
            }

            Assert.False(weight.IsInvalid);
            Assert.Equal(before + 1, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            weight.Dispose();
            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        });
    }
}
