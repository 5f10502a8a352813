pub mod reshare;
