using Peft.Tools.DemoModel;

return await DemoModelCli.RunAsync(args, Console.Out, Console.Error);
