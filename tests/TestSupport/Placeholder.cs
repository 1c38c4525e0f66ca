namespace DataHub.Testing;
