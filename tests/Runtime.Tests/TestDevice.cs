using Peft.Runtime.Torch;

namespace Peft.Runtime.Tests;

/// <summary>The device tests run on: PEFT_TEST_DEVICE (cpu, cuda, cuda:N, auto), else cpu.</summary>
internal static class TestDevice
{
    public static DeviceSpec Spec { get; } =
        DeviceSpec.Parse(Environment.GetEnvironmentVariable("PEFT_TEST_DEVICE") is { Length: > 0 } d ? d : "cpu");
}
