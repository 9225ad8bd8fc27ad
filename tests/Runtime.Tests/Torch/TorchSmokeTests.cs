using Peft.Runtime.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace Peft.Runtime.Tests.Torch;

public sealed class TorchSmokeTests
{
    [Fact]
    public void Matmul_on_the_configured_device_gives_the_known_product_and_leaves_no_tensor_behind()
    {
        OwnThread.Run(() =>
        {
            var device = TestDevice.Spec.ToTorch();
            long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;

            using (var scope = NewDisposeScope())
            {
                var a = tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 }, device: device);
                var b = tensor(new float[] { 7, 8, 9, 10, 11, 12 }, new long[] { 3, 2 }, device: device);
                var c = a.matmul(b).cpu();

                Assert.Equal(new long[] { 2, 2 }, c.shape);
                Assert.Equal(new float[] { 58, 64, 139, 154 }, c.data<float>().ToArray());
                Assert.Equal(device.type, a.device.type);
            }

            Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        });
    }

    [Theory]
    [InlineData("cpu", "cpu")]
    [InlineData(" CPU ", "cpu")]
    [InlineData("cuda", "cuda:0")]
    [InlineData("cuda:3", "cuda:3")]
    public void Device_specs_parse(string text, string expected)
        => Assert.Equal(expected, DeviceSpec.Parse(text).ToString());

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("")]
    public void Bad_device_specs_name_the_problem(string text)
    {
        var e = Assert.Throws<FormatException>(() => DeviceSpec.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void Auto_picks_cuda_only_when_present()
        => Assert.Equal(cuda.is_available() ? DeviceType.CUDA : DeviceType.CPU, DeviceSpec.Parse("auto").Type);
}
