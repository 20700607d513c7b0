# Production on Azure: AKS + Azure Database for PostgreSQL flexible server. State in Blob storage.
#   terraform init && terraform apply -var administrator_password=... (or TF_VAR_administrator_password)
terraform {
  required_version = ">= 1.6"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.0.0, < 5.0.0"
    }
  }
  backend "azurerm" {
    resource_group_name  = "rhizome-terraform"
    storage_account_name = "rhizometfstate"
    container_name       = "tfstate"
    key                  = "prod.tfstate"
  }
}

provider "azurerm" {
  features {}
}

variable "administrator_password" {
  description = "Administrator password of the flexible server"
  type        = string
  sensitive   = true
}

module "rhizome" {
  source                 = "../../modules/azure-aks-postgres"
  name                   = "rhizome-prod"
  location               = "westeurope"
  administrator_password = var.administrator_password
  node_count             = { min = 3, max = 12 }
}

output "database_url" {
  value     = module.rhizome.database_url
  sensitive = true
}

output "cluster_name" {
  value = module.rhizome.cluster_name
}
