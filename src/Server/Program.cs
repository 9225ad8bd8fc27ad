using Peft.Server;

return await ServerApp.RunAsync(args);
