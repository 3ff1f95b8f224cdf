import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, MaxLength } from 'class-validator';
import { APP_NAMES, type AppName } from '@jwt-blast-radius/keys';

export class LoginDto {
  @ApiProperty({ example: 'alice' })
  @IsString()
  @MaxLength(64)
  username!: string;

  @ApiProperty({ example: 'wonderland-alice' })
  @IsString()
  @MaxLength(256)
  password!: string;

  @ApiProperty({ enum: APP_NAMES, description: 'The one service this token is for.' })
  @IsIn(APP_NAMES)
  audience!: AppName;
}

export class TokenResponse {
  @ApiProperty() access_token!: string;
  @ApiProperty({ example: 'Bearer' }) token_type!: 'Bearer';
  @ApiProperty({ example: 300 }) expires_in!: number;
}
