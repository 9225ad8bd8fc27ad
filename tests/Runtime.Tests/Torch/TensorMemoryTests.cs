using Peft.Runtime.Torch;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Torch;

/// <summary>
/// The kernels read tensors where they lie: the address of a view's first element is its storage's address plus its
/// storage offset, whatever its strides, and what is read there is the view's first value.
/// </summary>
public sealed unsafe class TensorMemoryTests
{
    [Fact]
    public void A_contiguous_tensor_and_its_strided_views_start_at_their_first_value()
    {
        using var scope = NewDisposeScope();
        var pool = arange(0, 6 * 16 * 32, dtype: ScalarType.Float32).view(6, 16, 32);
        float* start = (float*)TensorMemory.Pointer(pool);
        Assert.Equal(0f, *start);

        var views = new[]
        {
            pool.select(0, 3),                              // a slot: contiguous, offset
            pool.narrow(1, 2, 5),                           // ranks 2..6 of every slot: strided
            pool.transpose(1, 2).select(0, 4),              // a slot's outputs by rank: transposed
            pool.select(2, 7).narrow(0, 1, 2),              // one column of two slots
        };
        foreach (var view in views)
        {
            float* first = (float*)TensorMemory.FirstElement(view);
            Assert.Equal((nint)(start + view.storage_offset()), (nint)first);
            Assert.Equal(view.flatten()[0].item<float>(), *first);
        }
    }

    [Fact]
    public void What_the_kernels_cannot_read_is_refused_with_a_reason()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => TensorMemory.Pointer(ones(8, 4).t()));   // not contiguous
        Assert.Throws<ArgumentException>(() => TensorMemory.FirstElement(empty(0)));
    }
}
